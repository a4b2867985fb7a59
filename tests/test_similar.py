"""Candidates for "similar passages" (index/similar.py), and the variants field without postings."""

from __future__ import annotations

from index.indexer import CorpusIndex
from index.schema import VARIANTS_FIELD
from index.similar import candidate_documents


def _index(tmp_path, docs: dict[str, str]) -> CorpusIndex:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in docs.items():
        (corpus / name).write_text(text, encoding="utf-8")
    ix = CorpusIndex(corpus, tmp_path / "index")
    ix.update()
    return ix


DOCS = {
    "a.txt": "Rockets fell near Babil on Tuesday morning.\n",
    "b.txt": "A market in Babel was quiet by the evening.\n",
    "c.txt": "Nothing about that region here at all.\n",
}


def test_a_name_finds_the_document_that_spells_it_otherwise(tmp_path):
    ix = _index(tmp_path, DOCS)
    found = candidate_documents(ix, "a.txt", ["babil"], ["babil"], query_terms=8, limit=10)
    assert found == ["b.txt"]


def test_the_document_itself_is_never_a_candidate(tmp_path):
    ix = _index(tmp_path, DOCS)
    found = candidate_documents(ix, "a.txt", ["rockets", "tuesday", "babil"], [], 8, 10)
    assert "a.txt" not in found


def test_the_variants_field_has_no_postings(tmp_path):
    """Variants come from the lexicon at query time: the index writes no phonetic codes."""
    ix = _index(tmp_path, DOCS)
    with ix.whoosh().reader() as reader:
        assert [t for f, t in reader.all_terms() if f == VARIANTS_FIELD] == []
        assert reader.doc_count() == 3
