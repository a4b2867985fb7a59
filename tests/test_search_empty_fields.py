"""Documents with no word in a field (a fortune that is only a kaomoji, a first line that is only
terminal colour codes): Whoosh's `doc_field_length` answers None for them, not its default, and
the scoring that reads every document's length (index/search/blockwise.py) failed on it. Found
on Debian's fortunes, split one fortune per file (20,889 files): every search said "index
damaged", rebuilt the index and failed again with a traceback."""

from __future__ import annotations

import pytest

from index.indexer import CorpusIndex
from index.search import close_searcher, search


@pytest.fixture()
def ci(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kaomoji.txt").write_text("(╯‵□′)╯︵┻━┻\n", encoding="utf-8")  # no word in title or body
    (corpus / "colours.txt").write_text("\x1b[1;36m  │\x1b[;m\n\ncomputer says no\n", encoding="utf-8")
    for n in range(3):
        (corpus / f"plain{n}.txt").write_text(f"Computers {n}\n\nThe computer and the computers.\n", encoding="utf-8")
    index = CorpusIndex(corpus, tmp_path / "index")
    index.update()
    yield index
    close_searcher(index)


@pytest.mark.parametrize("query", ["computer", "comput*", '"computer"', "computer OR says", "title:computers"])
def test_a_document_without_words_in_a_field_does_not_break_scoring(ci, query):
    results = search(ci, query, pagelen=20)
    assert results.total >= 3
    assert "kaomoji.txt" not in {hit.doc_id for hit in results.hits}
