"""Plain-text dumps of forms → the pages the grid stage would give.

Two readers: ``parser`` for dumps that keep each printed line (pdftotext, in layout or raw
order, and the like), which rebuilds rows from the tokens on the lines; ``tabbed`` for a word
processor's export that writes a tab before each table cell. ``ocrform.stages.read_dump``
picks one.
"""
