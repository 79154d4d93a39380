"""Words with positions: from a PDF's text layer (pdf_text) or from OCR (ocr, engines)."""
