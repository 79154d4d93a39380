"""Data the code reads (label vocabulary, character statistics, generator styles).

Installed as the package ``ocrform.models``; read it through ``ocrform.resources``.
"""
