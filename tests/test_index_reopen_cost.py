"""Re-opening an unchanged corpus, and a second update in one process, do no more work than
they must (issue 19: re-open and one-file update under 0.5 s at 30,000 documents).

Counted, not timed: manifest entries parsed, manifest files parsed.
"""

from __future__ import annotations

import index.manifest as manifest_module
from index.indexer import CorpusIndex


def _corpus(tmp_path, n=40):
    root = tmp_path / "corpus"
    for k in range(n):
        folder = root / f"{k % 4:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc-{k:03d}.txt").write_text(f"Title {k}\n\nbody text number {k}\n", "utf-8")
    return root


def test_reopen_of_an_unchanged_corpus_parses_no_manifest_entry(tmp_path, monkeypatch):
    root = _corpus(tmp_path)
    CorpusIndex(root, tmp_path / "ix").update()
    made = []
    real = manifest_module._Entry

    class Counting(real):  # type: ignore[valid-type, misc]
        def __init__(self, *args, **kwargs):
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(manifest_module, "_Entry", Counting)
    ci = CorpusIndex(root, tmp_path / "ix")
    report = ci.update()
    assert report.unchanged == 40 and not report.changed and report.rebuilt_reason is None
    assert made == []  # main parsed all 40
    assert len(ci.documents()) == 40 and ci.sha256("00/doc-000.txt")  # parsed when asked for


def test_a_second_update_in_one_process_does_not_parse_the_manifest_again(tmp_path, monkeypatch):
    root = _corpus(tmp_path)
    ci = CorpusIndex(root, tmp_path / "ix")
    ci.update()
    parsed = []
    real = manifest_module._Manifest.from_json.__func__

    def counting(cls, data):
        parsed.append(1)
        return real(cls, data)

    monkeypatch.setattr(manifest_module._Manifest, "from_json", classmethod(counting))
    (root / "01" / "doc-001.txt").write_text("Title 1\n\nchanged body\n", "utf-8")
    assert ci.update().changed == ["01/doc-001.txt"]
    assert ci.update().unchanged == 40
    assert parsed == []  # main parsed it at each update
    # another process's write is seen: the manifest is parsed again
    other = CorpusIndex(root, tmp_path / "ix")
    (root / "02" / "doc-002.txt").write_text("Title 2\n\nchanged too\n", "utf-8")
    assert other.update().changed == ["02/doc-002.txt"]
    assert ci.update().unchanged == 40 and parsed
    assert ci.documents()["02/doc-002.txt"].word_count == other.documents()["02/doc-002.txt"].word_count


def test_the_manifest_round_trips_entries_parsed_or_not(tmp_path):
    root = _corpus(tmp_path, n=8)
    ci = CorpusIndex(root, tmp_path / "ix")
    ci.update()
    before = (tmp_path / "ix" / "manifest.json").read_bytes()
    fresh = CorpusIndex(root, tmp_path / "ix")
    fresh.sha256("00/doc-000.txt")  # one parsed, the rest raw
    (root / "03" / "doc-003.txt").write_text("Title 3\n\nnew\n", "utf-8")
    fresh.update()
    again = CorpusIndex(root, tmp_path / "ix")
    assert again.update().unchanged == 8
    assert set(again.documents()) == set(ci.documents())
    assert before != (tmp_path / "ix" / "manifest.json").read_bytes()
