"""Mis-encoded glyphs: detection and repair from the font's cmap, the glyph shapes or the text alone."""
