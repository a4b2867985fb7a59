"""Import: round trips through qdpx and W3C (non-ASCII, CRLF), idempotence, conflicts, matching,
and the ATLAS.ti samples."""

from __future__ import annotations

import zipfile

import pytest

from index.corpus import Corpus
from reader.export import export
from reader.importer import ImportFileError, import_file
from reader.store import AnnotationStore
from test_export import FIXED, INTL, INTL_FIXED, SHARED, make_env

SAMPLES = SHARED / "standards" / "refi-qda" / "samples"


def signature(store: AnnotationStore):
    return sorted((a.doc, a.start, a.end, a.quote.exact, tuple(sorted(a.tags)), a.note) for a in store.annotations())


@pytest.fixture()
def full(tmp_path, monkeypatch):
    return make_env(tmp_path, monkeypatch, intl=True, fixed=FIXED + INTL_FIXED)


@pytest.mark.parametrize("fmt", ["qdpx", "w3c"])
def test_round_trip_into_an_empty_store_gives_the_same_annotations(full, tmp_path, fmt):
    paths, store, corpus = full
    out = tmp_path / f"export.{fmt}"
    export(fmt, paths=paths, store=store, corpus=corpus, output=out)
    fresh = AnnotationStore(tmp_path / "fresh")
    report = import_file(out, fresh, corpus)
    assert report.applied and report.added == 10 and not report.unmatched, str(report)
    assert signature(fresh) == signature(store)
    # non-ASCII survives: Arabic with harakat, ZWJ emoji, a flag, a span across CRLF
    quotes = {a.quote.exact for a in fresh.annotations(INTL)}
    assert {"“مُقَاوَمَة”", "👨‍👩‍👧", "🇮🇶 sit here.\r\nSecond"} <= quotes
    assert "حركات" in {a.note for a in fresh.annotations()}
    if fmt == "qdpx":  # colours and hierarchy come back with the codebook
        assert fresh.tag("actor/Nujaba").color == "#d62728"
        assert fresh.tag("actor").description == "Who acts"
        assert report.sources[0].method == "sha256" or any(s.method == "text" for s in report.sources)
    # undo takes the whole import back in one step
    fresh.undo()
    assert fresh.annotations() == []


@pytest.mark.parametrize("fmt", ["qdpx", "w3c"])
def test_importing_into_the_same_store_is_idempotent(full, tmp_path, fmt):
    paths, store, corpus = full
    out = tmp_path / f"export.{fmt}"
    export(fmt, paths=paths, store=store, corpus=corpus, output=out)
    before = signature(store)
    report = import_file(out, store, corpus)
    assert report.applied and report.added == 0 and report.duplicates == 10 and not report.conflicts
    assert signature(store) == before


def test_a_conflicting_import_is_refused_unless_told(full, tmp_path):
    paths, store, corpus = full
    out = tmp_path / "export.qdpx"
    export("qdpx", paths=paths, store=store, corpus=corpus, output=out)
    target = next(a for a in store.annotations() if a.tags == ("event/truce",))
    store.edit(target.id, tags=["event/ceasefire"])
    before = signature(store)
    report = import_file(out, store, corpus)
    assert not report.applied and len(report.conflicts) == 1 and signature(store) == before
    assert "event/truce" in str(report.conflicts[0]) and "event/ceasefire" in str(report.conflicts[0])
    skipped = import_file(out, store, corpus, on_conflict="skip")
    assert skipped.applied and skipped.added == 0 and skipped.conflicts_skipped == 1
    assert signature(store) == before
    added = import_file(out, store, corpus, on_conflict="add")
    assert added.added == 1
    assert len(store.annotations()) == len(before) + 1


def test_crlf_sources_map_onto_the_corpus_text(full, tmp_path):
    """The shipped text is LF-only; a CRLF corpus file gets exact spans back (matched by text)."""
    paths, store, corpus = full
    out = tmp_path / "export.qdpx"
    export("qdpx", paths=paths, store=store, corpus=corpus, output=out)
    fresh = AnnotationStore(tmp_path / "fresh")
    report = import_file(out, fresh, corpus)
    intl = next(s for s in report.sources if s.doc == INTL)
    assert intl.method == "text"  # the bytes differ (CRLF vs LF), the text is the same
    text = corpus.load(INTL).text
    for a in fresh.annotations(INTL):
        assert text[a.start : a.end] == a.quote.exact


def test_atlas_style_project_with_crlf_offsets_and_an_unknown_source(full, tmp_path):
    """ATLAS.ti counts CRLF as one character and may carry sources we do not have."""
    paths, store, corpus = full
    text = corpus.load(INTL).text  # has CRLF line endings
    lf_text = text.replace("\r\n", "\n")
    start = lf_text.index("naïve")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="atlas" origin="ATLAS.ti">
  <CodeBook><Codes>
    <Code guid="A182CD3A-D83C-4D8C-BC80-26D9103EC6D6" name="Words" isCodable="true" color="#F0A">
      <Code guid="2D2466F0-D77F-4F8C-BDF9-628966B6B74D" name="loan/word" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="11111111-1111-1111-1111-111111111111" name="Doc 1" plainTextPath="internal://11111111-1111-1111-1111-111111111111.txt">
      <PlainTextSelection guid="22222222-2222-2222-2222-222222222222" name="q" startPosition="{start}" endPosition="{start + 5}">
        <Description>comment</Description>
        <Coding guid="33333333-3333-3333-3333-333333333333"><CodeRef targetGUID="2D2466F0-D77F-4F8C-BDF9-628966B6B74D"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="44444444-4444-4444-4444-444444444444" name="Interview 7" plainTextPath="internal://44444444-4444-4444-4444-444444444444.txt">
      <PlainTextSelection guid="55555555-5555-5555-5555-555555555555" startPosition="0" endPosition="5">
        <Coding guid="66666666-6666-6666-6666-666666666666"><CodeRef targetGUID="A182CD3A-D83C-4D8C-BC80-26D9103EC6D6"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""
    path = tmp_path / "atlas.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr("Sources/11111111-1111-1111-1111-111111111111.txt", "\ufeff".encode() + text.encode("utf-8"))
        zf.writestr("sources/44444444-4444-4444-4444-444444444444.txt", "Hello, nobody has this text.")
    fresh = AnnotationStore(tmp_path / "fresh")
    report = import_file(path, fresh, corpus)
    assert report.applied and report.added == 1, str(report)
    [a] = fresh.annotations()
    assert (a.doc, a.quote.exact, a.tags, a.note) == (INTL, "naïve", ("Words/loan∕word",), "comment")
    assert [s.name for s in report.unmatched] == ["Interview 7"]
    assert "unmatched source “Interview 7”" in str(report)
    assert fresh.tag("Words").color == "#ff00aa"


def test_a_similar_text_is_matched_and_annotations_reanchored(full, tmp_path):
    paths, store, corpus = full
    out = tmp_path / "export.qdpx"
    export("qdpx", paths=paths, store=store, corpus=corpus, output=out)
    doc = paths.corpus / "000_5f0b56e8f3292fd3.txt"
    doc.write_text(
        doc.read_text(encoding="utf-8").replace("Less than a week later", "Under a week later"), encoding="utf-8"
    )
    fresh = AnnotationStore(tmp_path / "fresh")
    report = import_file(out, fresh, Corpus(paths.corpus))
    assert any(s.method == "similar" for s in report.sources), str(report)
    assert report.added == 10
    new_text = doc.read_text(encoding="utf-8")
    for a in fresh.annotations("000_5f0b56e8f3292fd3.txt"):
        assert new_text[a.start : a.end] == a.quote.exact


@pytest.mark.parametrize("name", ["blank-atlas-project.qdpx", "target-atlas-project.qdpx"])
def test_the_atlas_ti_samples_import_without_crashing(full, tmp_path, name):
    if not (SAMPLES / name).exists():
        pytest.skip(f"{SAMPLES / name} is not available (../shared is not checked out)")
    paths, store, corpus = full
    fresh = AnnotationStore(tmp_path / "fresh")
    report = import_file(SAMPLES / name, fresh, corpus)
    assert report.applied and report.added == 0 and report.sources == []
    if name.startswith("target"):
        assert {"Commits", "Commits/2022-05-10T02:05:59Z 19e4dce"} <= set(report.tags_created)
        assert fresh.tag("Commits") is not None
    else:
        assert report.tags_created == []


def test_w3c_from_another_tool_matches_by_quote(full, tmp_path):
    paths, store, corpus = full
    path = tmp_path / "hypothesis.json"
    path.write_text(
        """[{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
      "id": "https://hyp.is/abc", "body": [{"type": "TextualBody", "purpose": "tagging", "value": "frame/ delay "},
      {"type": "TextualBody", "value": "a comment"}],
      "target": [{"source": "https://example.org/articles/iraq-1",
                  "selector": {"type": "TextQuoteSelector", "exact": "south of Baghdad", "prefix": "Governorate, "}}]},
      {"type": "Annotation", "id": "x", "bodyValue": "no tag", "target": "https://example.org"}]""",
        encoding="utf-8",
    )
    fresh = AnnotationStore(tmp_path / "fresh")
    report = import_file(path, fresh, corpus)
    [a] = fresh.annotations()
    assert (a.doc, a.quote.exact, a.tags, a.note) == (
        "000_5f0b56e8f3292fd3.txt",
        "south of Baghdad",
        ("frame/delay",),
        "a comment",
    )
    assert report.sources[0].method == "quote" and any("no tag" in p for p in report.problems)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"PK\x03\x04garbage", "not a readable .qdpx"),
        (b"{not json", "not readable JSON"),
        (b'{"type": "Thing"}', "not W3C"),
        (b"<Other/>", "not a REFI-QDA project"),
    ],
)
def test_unusable_files_raise_a_clear_error(full, tmp_path, content, message):
    paths, store, corpus = full
    path = tmp_path / "bad.file"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        import_file(path, store, corpus)
