"""The side-by-side view aligns a PDF with its text translation as it aligns two texts.

seed003.pdf is seeds/003 made a PDF (tests/fixtures/pdf/make_seed003.py, LibreOffice); seed
000 translates the same article again at length. Aligned with 000, the PDF's paragraphs pair
exactly as the text file's do (test_align.py's expected pairs), in the headless alignment
and in the side-by-side screen.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from index.corpus import Corpus
from reader.align import align
from reader.services import Library

from conftest import SEEDS, make_paths
from snapshot_apps.compare_app import CompareApp
from test_align import D000, D003, EXPECTED_003_000, _pairs_by_opening
from waiting import pilot_wait_until, settle_workers

PDF = Path(__file__).parent / "fixtures" / "pdf" / "seed003.pdf"


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copy(PDF, corpus / "003.pdf")
    return corpus


def test_a_pdf_pairs_with_a_text_as_its_text_does(tmp_path) -> None:
    corpus = Corpus(_corpus(tmp_path))
    pdf, text, other = corpus.load("003.pdf"), corpus.load(D003), corpus.load(D000)
    assert [pdf.text[p.start : p.end] for p in pdf.paragraphs] == [text.text[p.start : p.end] for p in text.paragraphs]
    from_pdf = _pairs_by_opening(pdf, other, align(pdf, other))
    assert from_pdf == _pairs_by_opening(text, other, align(text, other))
    assert {k: v for k, v in from_pdf.items() if k in EXPECTED_003_000} == EXPECTED_003_000


async def test_the_side_by_side_view_aligns_a_pdf_with_a_text(tmp_path) -> None:
    library = Library(make_paths(tmp_path, _corpus(tmp_path)))
    library.update_index()
    app = CompareApp(library, "003.pdf", D000)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.compare
        await pilot_wait_until(pilot, lambda: screen.alignment is not None, "the alignment")
        await settle_workers(app)
        await pilot_wait_until(
            pilot,
            lambda: "pairs" in str(screen.query_one("#compare-status").render()),
            "the alignment's summary in the status line",
        )
        assert screen.view("a").doc_id == "003.pdf" and screen.view("b").doc_id == D000
        assert screen.alignment is not None and len(screen.alignment.paired) == 13
        status = str(screen.query_one("#compare-status").render())
        assert "13 pairs" in status and "0 only in A" in status
