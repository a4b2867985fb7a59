"""An export takes each document's title, source and date from the corpus index's manifest
when the file is the one indexed (issue 19: at 10,000 documents extracting them again was a
third of an export), and extracts them again from a file changed since it was indexed."""

from __future__ import annotations

import index.metadata
from index.indexer import CorpusIndex
from reader.export import export

from test_export import D0, D1, make_env


def _counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = index.metadata.extract_metadata

    def counted(text, fallback_title="", **kwargs):
        calls.append(fallback_title)
        return real(text, fallback_title, **kwargs)

    monkeypatch.setattr(index.metadata, "extract_metadata", counted)
    return calls


def test_an_export_takes_the_metadata_of_indexed_files_from_the_manifest(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch)
    without_index = export("csv", store=store, corpus=corpus).data
    CorpusIndex(paths.corpus, paths.index).update()
    calls = _counting(monkeypatch)
    with_index = export("csv", paths=paths, store=store).data
    assert calls == []  # every document annotated is the one indexed
    assert with_index == without_index  # the same titles, sources and dates


def test_a_file_changed_since_it_was_indexed_has_its_metadata_extracted_again(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch)
    CorpusIndex(paths.corpus, paths.index).update()
    path = paths.corpus / D1
    path.write_bytes(b"A New Title For It\n\n" + path.read_bytes())
    calls = _counting(monkeypatch)
    rows = export("jsonl", paths=paths, store=store).data.decode("utf-8")
    assert calls == [D1.removesuffix(".txt")]
    assert '"title": "A New Title For It"' in rows and D0 in rows
