"""The app on a folder of PDFs and transcripts: listed, opened, and the status bar names the
page or the cue time under the cursor, as the original shows it."""

from __future__ import annotations

import shutil
from pathlib import Path

from reader.app import create_app
from reader.widgets.document_view import DocumentView

from app_helpers import status_text
from conftest import make_paths
from waiting import settle

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


async def test_the_status_bar_shows_the_page_and_the_cue_time(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("interview.pdf", "interview.srt"):
        shutil.copy(FIXTURES / name, corpus / name)
    app = create_app(make_paths(tmp_path, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.open_document("interview.pdf")
        await settle(pilot)
        view = app.screen.query_one(DocumentView)
        assert "p. 1" in status_text(app)
        text = app.screen.opened.document.text
        view.move_cursor(text.index("On the second page"))
        await settle(pilot)
        assert "p. 2" in status_text(app)
        app.screen.open_document("interview.srt")
        await settle(pilot)
        view.move_cursor(app.screen.opened.document.text.index("spring"))
        await settle(pilot)
        assert "00:14:03 of 00:14:09" in status_text(app)  # the cue and the transcript's length
