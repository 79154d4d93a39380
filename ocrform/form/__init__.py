"""Cells of a table → the canonical form: label vocabulary, spans, numbers and the mapping."""
