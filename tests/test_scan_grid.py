"""Degraded scans stay plausible: a black-and-white heavy scan keeps its paper white and its rulings."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import numpy as np
import pymupdf
import pytest

from ocrform.grid import IMAGE_SNAP, tables_from_rulings
from ocrform.grid.image import find_image_rulings
from ocrform.scan.preprocess import preprocess_page
from ocrform.synth import STYLES, degrade, render_forms_pdf
from ocrform.synth.degrade import degrade_image, render_page

GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"


@pytest.fixture(scope="module")
def two_pages(tmp_path_factory: pytest.TempPathFactory) -> pymupdf.Document:
    pdf = tmp_path_factory.mktemp("bw") / "form.pdf"
    render_forms_pdf([json.loads((GOLD / "000_f02.json").read_text("utf-8"))], pdf, STYLES["hunan"])
    doc = pymupdf.open(pdf)
    assert doc.page_count == 2  # a full first page and a nearly empty second one
    return doc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_binarised_heavy_scan_keeps_paper_and_rulings(
    two_pages: pymupdf.Document, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # Every heavy scan black-and-white, under the level's uneven light.
    heavy = dataclasses.replace(degrade.LEVELS["heavy"], binarise=1.0, seal=0.0)
    monkeypatch.setitem(degrade.LEVELS, "heavy", heavy)
    full, sparse = (degrade_image(render_page(p, 150), random.Random(seed), "heavy") for p in two_pages)
    # The second page is a few lines of text: one global threshold under uneven light made
    # nearly half of it black.
    assert np.mean(sparse < 128) < 0.05
    prepared = preprocess_page(full)
    tables = tables_from_rulings(find_image_rulings(prepared.image, 150 / 72), 0, "image", snap=IMAGE_SNAP)
    assert sum(len(t.cells) for t in tables) > 100
