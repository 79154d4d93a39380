"""Command line: ``ocrform convert``, ``ocrform schema``, ``ocrform fix-pdf``.

Every failure is one line naming the file and the reason; a bad file in a batch never
stops the others, and the exit status says whether anything failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from ocrform import __version__
from ocrform.errors import InputError

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_ALL_FAILED = 3


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocrform",
        description="Digitise 项目支出绩效自评表 forms from PDFs and scans into canonical JSON.",
    )
    parser.add_argument("--version", action="version", version=f"ocrform {__version__}")
    sub = parser.add_subparsers(dest="command")

    conv = sub.add_parser("convert", help="convert PDFs/images (files or folders) to JSON")
    conv.add_argument("inputs", nargs="+", type=Path, help="files or folders (folders are searched recursively)")
    conv.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    conv.add_argument("--format", choices=["json"], default="json", help="output format (default: json)")
    conv.add_argument("--engine", default="rapidocr", help="OCR engine for scans: rapidocr (default) or paddleocr")
    conv.add_argument(
        "--engine-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="engine setting, e.g. det_model_dir=/models/det (repeatable)",
    )
    conv.add_argument("--dpi", type=int, default=200, help="resolution for rendering image-only PDF pages")
    conv.add_argument(
        "--one-document-per-folder",
        action="store_true",
        help="each folder given is one document: its page images in natural name order (page_2 before page_10)",
    )
    conv.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    conv.set_defaults(func=_cmd_convert)

    sch = sub.add_parser("schema", help="print the canonical JSON Schema")
    sch.set_defaults(func=_cmd_schema)

    fix = sub.add_parser("fix-pdf", help="write a copy of a PDF whose text layer extracts correctly")
    fix.add_argument("input", type=Path)
    fix.add_argument("-o", "--output", type=Path, required=True, help="output PDF path")
    fix.set_defaults(func=_cmd_fix_pdf)
    return parser


def _cmd_schema(args: argparse.Namespace) -> int:
    import ocrform

    print(json.dumps(ocrform.schema(), ensure_ascii=False, indent=1))
    return EXIT_OK


def _cmd_convert(args: argparse.Namespace) -> int:
    import ocrform
    from ocrform.document import SUPPORTED_SUFFIXES, TEXT_SUFFIXES
    from ocrform.export import output_path, write_json

    engine_options = {}
    for item in args.engine_option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"error: --engine-option {item!r}: expected KEY=VALUE", file=sys.stderr)
            return EXIT_USAGE
        engine_options[key] = value

    files = list(_expand_inputs(args.inputs, SUPPORTED_SUFFIXES | TEXT_SUFFIXES, args.one_document_per_folder))
    if not files:
        print("error: no input files found", file=sys.stderr)
        return EXIT_USAGE
    taken: set[Path] = set()
    failed = 0
    for item in ocrform.convert_many(files, engine=args.engine, engine_options=engine_options, dpi=args.dpi):
        try:
            if item.error is not None:
                raise item.error
            assert item.result is not None
            out = output_path(args.output, item.path, taken)
            write_json(item.result, out)
        except InputError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        except Exception as exc:  # one broken file must never cost the batch its other results
            failed += 1
            print(f"error: {item.path}: internal error ({type(exc).__name__}: {_one_line(exc)})", file=sys.stderr)
            continue
        if not args.quiet:
            n = len(item.result.forms)
            note = "" if n else " (no form found)"
            print(f"{item.path} -> {out}: {n} form{'s' if n != 1 else ''}{note}", file=sys.stderr)
    if failed == len(files):
        return EXIT_ALL_FAILED
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _cmd_fix_pdf(args: argparse.Namespace) -> int:
    from ocrform.repair.fixpdf import fix_pdf

    try:
        report = fix_pdf(args.input, args.output)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ALL_FAILED
    except Exception as exc:  # a damaged file's last surprise: still one line
        print(f"error: {args.input}: internal error ({type(exc).__name__}: {_one_line(exc)})", file=sys.stderr)
        return EXIT_ALL_FAILED
    print(f"{args.input} -> {args.output}: {report}", file=sys.stderr)
    return EXIT_OK


def _expand_inputs(inputs: list[Path], suffixes: set[str], folder_documents: bool = False) -> Iterator[Path]:
    """Files as given (a bad one is reported by the converter); folders searched for known
    types, or each folder one document of page images (``folder_documents``)."""
    for item in inputs:
        if item.is_dir() and folder_documents:
            yield item
        elif item.is_dir():
            yield from sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        else:
            yield item


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


if __name__ == "__main__":
    sys.exit(main())
