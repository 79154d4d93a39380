"""Table grids: ruling lines from the PDF's vector drawing or from the page image → cells."""

from __future__ import annotations

from ocrform.grid.cells import fill_cells, tables_from_rulings
from ocrform.model import Page, Table

__all__ = ["fill_cells", "find_tables", "tables_from_rulings"]

# A scanned rule wanders by a few points along its length (residual skew, paper warp);
# form columns are far wider than this, so pieces this close are one line.
IMAGE_SNAP = 4.0


def find_tables(page: Page) -> list[Table]:
    """The page's tables: from its drawn rulings when it has them, else from its pixels."""
    if page.segments:
        return tables_from_rulings(page.segments, page.index, "pdf-vector")
    if page.image is not None:
        from ocrform.grid.image import find_image_rulings

        rulings = find_image_rulings(page.image, page.pixels_per_point, page.seals)
        return tables_from_rulings(rulings, page.index, "image-morphology", snap=IMAGE_SNAP)
    return []
