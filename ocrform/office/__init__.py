"""Word and Excel originals read from their own structure, not from a print of them.

``read_office`` gives the same page contents the other readers give (tables of cells with
row and column spans, in document order, with their text, and free lines between them), so
the form stage maps them with no format-specific code:

- .docx with python-docx (``ocrform.office.docx``), .xlsx/.xlsm with openpyxl
  (``ocrform.office.xlsx``), each after ``ocrform.office.safety`` passed the package;
- .doc, .xls, .wps and .et converted to .docx/.xlsx by LibreOffice first
  (``ocrform.office.convert``): the binary formats, and what systems export under those
  names (an HTML table or SpreadsheetML as .xls, RTF as .doc); so is an OLE file named .docx
  or .xlsx that is not an encrypted package.

Every value's word carries its cell (``自评表!B7``, ``table 1 row 5 column 3``), which the
provenance reports beside the laid-out page and box.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ocrform.errors import InputError
from ocrform.model import PageContent
from ocrform.office import safety

WORD_SUFFIXES = {".docx", ".docm"}
SHEET_SUFFIXES = {".xlsx", ".xlsm"}
LEGACY_WORD_SUFFIXES = {".doc", ".wps"}
LEGACY_SHEET_SUFFIXES = {".xls", ".et"}
OFFICE_SUFFIXES = WORD_SUFFIXES | SHEET_SUFFIXES | LEGACY_WORD_SUFFIXES | LEGACY_SHEET_SUFFIXES


@dataclass(frozen=True)
class OfficeRead:
    kind: str  # "docx" or "xlsx": the format read (a legacy file's conversion)
    contents: list[PageContent]


def read_office(path: Path) -> OfficeRead:
    """The file's pages; an InputError (one line) for anything that cannot be read safely."""
    suffix = path.suffix.lower()
    sheet = suffix in SHEET_SUFFIXES | LEGACY_SHEET_SUFFIXES
    what = "Excel workbook" if sheet else "Word document"
    try:
        head = safety.file_head(path)
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror})") from None
    if head.startswith(safety.OLE_MAGIC) and safety.is_encrypted_ole(path):
        raise InputError(path, f"password-protected {what} (remove the password and save it again)")
    if head.startswith(safety.ZIP_MAGIC):
        # A zip under a legacy name (.doc, .xls) is a .docx or .xlsx saved under the old name.
        return _read_package(path, sheet, what)
    if not head.startswith(safety.OLE_MAGIC) and suffix not in LEGACY_WORD_SUFFIXES | LEGACY_SHEET_SUFFIXES:
        raise InputError(path, f"corrupt {what} (neither a zip package nor an OLE file)")
    # The binary formats, and what systems export under their names (an HTML table or
    # SpreadsheetML saved as .xls, RTF as .doc): LibreOffice reads them all.
    from ocrform.office.convert import convert_with_libreoffice

    safety.check_size(path)
    with tempfile.TemporaryDirectory(prefix="ocrform-office-") as tmp:
        converted = convert_with_libreoffice(path, "xlsx" if sheet else "docx", Path(tmp))
        try:
            return _read_package(converted, sheet, what)
        except InputError as exc:
            raise InputError(path, f"{exc.reason} (after conversion by LibreOffice)") from None


def _read_package(path: Path, sheet: bool, what: str) -> OfficeRead:
    with safety.open_package(path, what) as package:
        names = set(package.namelist())
        if sheet:
            if "xl/workbook.xml" not in names:
                raise InputError(path, f"not an {what} (no xl/workbook.xml in the package)")
            safety.check_sheet_extent(path, package)
        elif "word/document.xml" not in names:
            raise InputError(path, f"not a {what} (no word/document.xml in the package)")
    if sheet:
        from ocrform.office.xlsx import ORIGIN, read_xlsx

        return OfficeRead("xlsx", read_xlsx(path).contents(ORIGIN))
    from ocrform.office import docx

    return OfficeRead("docx", docx.read_docx(path).contents(docx.ORIGIN))
