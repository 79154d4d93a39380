"""Sample generator: render canonical form JSON into realistic PDFs whose truth is known."""

from ocrform.synth.pdf import render_forms_pdf
from ocrform.synth.style import STYLES, Style

__all__ = ["STYLES", "Style", "render_forms_pdf"]
