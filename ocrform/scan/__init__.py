"""Scanned pages: pre-processing before the image grid and OCR."""
