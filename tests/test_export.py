"""Export: the selection (filters, re-anchoring), every format, golden files, validators.

Golden files (tests/golden/export/) hold md/csv/jsonl of a fixed annotation set on the seeds,
built with deterministic ids and times. Regenerate after an intended change with
`UPDATE_GOLDEN=1 pytest tests/test_export.py` and review the diff.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from index.corpus import Corpus
from reader.export import FORMATS, ExportError, Filters, count, export, select
from reader.paths import Paths
from reader.store import AnnotationStore, NewAnnotation

from conftest import SEEDS

GOLDEN = Path(__file__).resolve().parent / "golden" / "export"
SHARED = Path(__file__).parents[1].parent / "shared"
VALIDATE_W3C = SHARED / "tools" / "validate_w3c.py"
VALIDATE_QDPX = SHARED / "tools" / "validate_qdpx.py"

D0 = "000_5f0b56e8f3292fd3.txt"
D1 = "001_f1d61bf84ce1f504.txt"
D2 = "002_aa247d70c2f24e11.txt"
D3 = "003_c50da1745df50ef1.txt"
INTL = "intl/مرحبا.txt"
INTL_TEXT = (
    "Title: نص تجريبي\r\n"
    "\r\n"
    "The council said: “مُقَاوَمَة” (resistance, with harakat) matters.\r\n"
    "A family emoji 👨‍👩‍👧 and a flag 🇮🇶 sit here.\r\n"
    "Second line with café and naïve.\r\n"
)

# (doc, quote, occurrence index, tags, note): a fixed set with hierarchy, several tags, notes,
# curly quotes, and a note with markup-like characters.
FIXED = [
    (D0, "“procrastination and delay”", 0, ("frame/delay", "actor/US"), "quoted “truce” <b>&</b>"),
    (D0, "Al-Nujaba Movement threatens", 0, ("actor/Nujaba",), ""),
    (D0, "growing calls to end the truce", 0, ("event/truce",), "=HYPERLINK(\"x\")"),
    (D1, "7 attacks within 72 hours", 0, ("event/attack",), ""),
    (D2, "Harakat Hezbollah al-Nujaba", 0, ("actor/Nujaba", "event/attack"), "two tags\nsecond line"),
    (D3, "The Iraqi Nujaba Movement announced", 0, ("actor/Nujaba",), ""),
]


def deterministic(monkeypatch):
    """Annotation ids and times from counters instead of uuid4/now."""
    ids = itertools.count(1)
    ticks = itertools.count(0)
    monkeypatch.setattr("reader.store.annotation_store.new_id", lambda: f"00000000-0000-4000-8000-{next(ids):012d}")
    monkeypatch.setattr(
        "reader.store.annotation_store.utc_now",
        lambda: f"2024-08-0{1 + next(ticks) // 60}T10:{next(ticks) % 60:02d}:00.000000Z",
    )


def add_fixed(store: AnnotationStore, corpus: Corpus, fixed=FIXED) -> None:
    items = []
    for doc_id, quote, nth, tags, note in fixed:
        doc = corpus.load(doc_id)
        start = -1
        for _ in range(nth + 1):
            start = doc.text.index(quote, start + 1)
        items.append(NewAnnotation(doc_id, doc.text, doc.sha256, start, start + len(quote), tags, note))
    for item in items:  # one add per annotation: distinct times
        store.add_many([item])


def make_env(tmp_path: Path, monkeypatch, intl: bool = False, fixed=FIXED):
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus_dir)
    if intl:
        (corpus_dir / "intl").mkdir()
        (corpus_dir / INTL).write_bytes(INTL_TEXT.encode("utf-8"))
    paths = Paths(corpus_dir, tmp_path / "ann", tmp_path / "ix")
    deterministic(monkeypatch)
    store = AnnotationStore(paths.annotations, creator="tester")
    corpus = Corpus(corpus_dir)
    store.set_tag("actor", color="#1f77b4", description="Who acts")
    store.set_tag("actor/Nujaba", color="#D62728")
    add_fixed(store, corpus, fixed)
    return paths, store, corpus


INTL_FIXED = [
    (INTL, "“مُقَاوَمَة”", 0, ("lang/arabic",), "حركات"),
    (INTL, "👨‍👩‍👧", 0, ("emoji",), "ZWJ 👍"),
    (INTL, "🇮🇶 sit here.\r\nSecond", 0, ("emoji", "lines"), ""),
    (INTL, "naïve", 0, ("lang/latin",), ""),
]


@pytest.fixture()
def env(tmp_path, monkeypatch):
    return make_env(tmp_path, monkeypatch)


def golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert data.decode("utf-8") == path.read_bytes().decode("utf-8")


def run_tool(tool: Path, *files: Path) -> subprocess.CompletedProcess:
    if not tool.exists():
        pytest.skip(f"shared validator {tool} is not available (../shared is not checked out)")
    return subprocess.run([sys.executable, str(tool), *map(str, files)], capture_output=True, text=True)


# --- golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, by", [("md", "tag"), ("md", "doc"), ("csv", "tag"), ("jsonl", "tag")])
def test_golden(env, fmt, by):
    paths, store, corpus = env
    result = export(fmt, paths=paths, store=store, corpus=corpus, by=by)
    golden(f"seeds.{fmt}" if by == "tag" else f"seeds.by-doc.{fmt}", result.data)


# --- the selection ------------------------------------------------------------------------------


def test_rows_carry_every_field_reanchored_in_the_current_text(env):
    paths, store, corpus = env
    sel = select(paths=paths, store=store, corpus=corpus)
    assert sel.count == len(FIXED)
    row = next(r for r in sel.rows if r.quote == "“procrastination and delay”")
    text = corpus.load(D0).text
    assert text[row.start : row.end] == row.quote and row.status == "anchored"
    assert row.context_before == text[row.start - 100 : row.start]
    assert row.context_after == text[row.end : row.end + 100]
    assert row.title.startswith("Iraq.. Al-Nujaba") and row.creator == "tester"
    assert row.created.startswith("2024-08-0") and row.note.startswith("quoted")
    assert "actor" in sel.tags and sel.tags["actor/Nujaba"].color == "#d62728"


def test_moved_and_orphaned_annotations_export_their_current_state(env):
    paths, store, corpus = env
    path = paths.corpus / D0
    text = path.read_text(encoding="utf-8")
    path.write_text("PREFACE\n" + text.replace("growing calls to end the truce", "calls"), encoding="utf-8")
    rows = {r.quote: r for r in select(paths=paths, store=store, corpus=corpus).rows}
    moved = rows["“procrastination and delay”"]
    assert moved.status == "moved" and moved.start == text.index("“procrastination") + 8
    orphan = next(r for r in rows.values() if r.tags == ("event/truce",))
    assert orphan.status in ("orphan", "fuzzy")
    path.unlink()
    gone = [r for r in select(paths=paths, store=store, corpus=corpus).rows if r.doc == D0]
    assert {r.status for r in gone} == {"orphan"} and all(r.start is None for r in gone)
    jsonl = export("jsonl", paths=paths, store=store, corpus=corpus).data.decode()
    assert '"status": "orphan", "start": null' in jsonl
    qdpx = export("qdpx", paths=paths, store=store, corpus=corpus)
    assert len(qdpx.skipped) == 3 and all("orphan (the document is gone)" in s for s in qdpx.skipped)


def test_filters_combine_with_and(env):
    paths, store, corpus = env
    assert count(paths=paths, store=store) == 6
    assert count(Filters(tags=["actor"]), paths=paths, store=store) == 4  # child tags included
    assert count(Filters(tags=["actor/US", "event/truce"]), paths=paths, store=store) == 2
    assert count(Filters(docs=[D0]), paths=paths, store=store) == 3
    assert count(Filters(tags=["actor"], docs=[D0]), paths=paths, store=store) == 2
    assert count(Filters(query="Shafaq"), paths=paths, store=store) == 1
    assert count(Filters(query="Nujaba", tags=["event"]), paths=paths, store=store) == 2
    assert count(Filters(tags=["nothing"]), paths=paths, store=store) == 0
    result = export("csv", Filters(tags=["event"]), paths=paths, store=store, corpus=corpus)
    rows = list(csv.DictReader(io.StringIO(result.data.decode("utf-8"))))
    # one row per (annotation, selected tag): the annotation tagged actor and event gives one
    assert sorted(r["tag"] for r in rows) == ["event/attack", "event/attack", "event/truce"]
    assert result.count == 3 and result.rows == 3


def test_bad_query_and_unknown_format_raise_export_error(env):
    paths, store, corpus = env
    with pytest.raises(ExportError, match="invalid query"):
        export("md", Filters(query='"unclosed'), paths=paths, store=store, corpus=corpus)
    with pytest.raises(ExportError, match="unknown format"):
        export("docx", paths=paths, store=store, corpus=corpus)
    with pytest.raises(ExportError, match="does not exist"):
        export("md", paths=paths, store=store, corpus=corpus, output=paths.corpus / "no" / "x.md")


def test_output_is_written_atomically(env, tmp_path):
    paths, store, corpus = env
    out = tmp_path / "x.html"
    out.write_text("old")
    result = export("html", paths=paths, store=store, corpus=corpus, output=out)
    assert result.path == out and out.read_bytes() == result.data
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".x.html")] == []


# --- formats ------------------------------------------------------------------------------------


def test_tabular_rows_have_every_field_and_neutralise_formulas(env):
    paths, store, corpus = env
    data = export("csv", paths=paths, store=store, corpus=corpus).data.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 8  # 6 annotations, two with two tags
    formula = next(r for r in rows if r["tag"] == "event/truce")
    assert formula["note"] == "'=HYPERLINK(\"x\")"
    jsonl = [json.loads(x) for x in export("jsonl", paths=paths, store=store, corpus=corpus).data.splitlines()]
    assert next(r for r in jsonl if r["tag"] == "event/truce")["note"] == "=HYPERLINK(\"x\")"
    assert set(jsonl[0]) >= {"context_before", "context_after", "start", "end", "quote", "tags", "status"}


def test_html_escapes_untrusted_text(tmp_path, monkeypatch):
    fixed = [(D0, "Al-Nujaba Movement", 0, ("actor/<script>",), "<img src=x onerror=alert(1)>")]
    paths, store, corpus = make_env(tmp_path, monkeypatch, fixed=fixed)
    evil = paths.corpus / "evil.txt"
    evil.write_text("before <script>alert('x')</script> after\n", encoding="utf-8")
    doc = corpus.load("evil.txt")
    store.add("evil.txt", doc.text, doc.sha256, 7, 34, ["actor/<script>"], "")
    # a hand-edited codebook colour must not break out of the style attribute
    cb = json.loads((paths.annotations / "codebook.json").read_text())
    cb["tags"].append({"name": "actor/<script>", "color": "red;}</style><script>x()</script>", "description": ""})
    (paths.annotations / "codebook.json").write_text(json.dumps(cb))
    store.refresh()
    page = export("html", paths=paths, store=store, corpus=corpus).data.decode("utf-8")
    assert "<script>" not in page and "<img" not in page and "</style><" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "Content-Security-Policy" in page and "http" not in page.split("<body>")[1]


def test_markdown_escapes_markup_in_quotes(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch, fixed=[])
    (paths.corpus / "md.txt").write_text("x\n# not a heading *bold* [link](y) <b>\n", encoding="utf-8")
    doc = corpus.load("md.txt")
    store.add("md.txt", doc.text, doc.sha256, 2, len(doc.text) - 1, ["t"], "")
    out = export("md", paths=paths, store=store, corpus=corpus).data.decode()
    assert "> \\# not a heading \\*bold\\* \\[link\\](y) \\<b\\>" in out


def test_w3c_export_passes_the_w3c_must_assertions(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch, intl=True, fixed=FIXED + INTL_FIXED)
    out = tmp_path / "export.jsonld"
    result = export("w3c", paths=paths, store=store, corpus=corpus, output=out)
    assert result.count == 10
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "AnnotationCollection" and doc["total"] == 10
    first = (
        next(a for a in doc["items"] if len(a["body"]) == 3)
        if "items" in doc
        else next(a for a in doc["first"]["items"] if len(a["body"]) == 3)
    )
    selectors = {s["type"]: s for s in first["target"]["selector"]}
    text = corpus.load(first["target"]["source"]["id"].split(":")[-1]).text
    pos = selectors["TextPositionSelector"]
    assert text[pos["start"] : pos["end"]] == selectors["TextQuoteSelector"]["exact"]
    purposes = [b["purpose"] for b in first["body"]]
    assert purposes.count("tagging") == 2 and "commenting" in purposes
    proc = run_tool(VALIDATE_W3C, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "10 passed, 0 failed" in proc.stdout


def test_qdpx_export_is_valid_and_offsets_match_the_shipped_text(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch, intl=True, fixed=FIXED + INTL_FIXED)
    out = tmp_path / "export.qdpx"
    result = export("qdpx", paths=paths, store=store, corpus=corpus, output=out)
    assert result.count == 10 and result.skipped == ()
    proc = run_tool(VALIDATE_QDPX, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from lxml import etree

    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert "project.qde" in names and all(n.startswith("sources/") for n in names if n != "project.qde")
        root = etree.fromstring(zf.read("project.qde"))
        ns = {"q": "urn:QDA-XML:project:1.0"}
        codes = root.findall(".//q:CodeBook//q:Code", ns)
        top = [c.get("name") for c in root.findall("q:CodeBook/q:Codes/q:Code", ns)]
        assert {"actor", "event", "frame", "lang", "emoji", "lines"} == set(top)
        nujaba = root.find(".//q:Code[@name='actor']/q:Code[@name='Nujaba']", ns)
        assert nujaba is not None and nujaba.get("color") == "#d62728"
        assert len(codes) >= 12
        quotes = {}
        for src in root.findall(".//q:TextSource", ns):
            path = src.get("plainTextPath")
            assert path.startswith("internal://") and path.endswith(".txt")
            shipped = zf.read("sources/" + path[len("internal://") :]).decode("utf-8")
            assert "\r" not in shipped
            for sel in src.findall("q:PlainTextSelection", ns):
                quotes[sel.get("guid")] = shipped[int(sel.get("startPosition")) : int(sel.get("endPosition"))]
    expected = {
        r.id.upper(): r.quote.replace("\r\n", "\n") for r in select(paths=paths, store=store, corpus=corpus).rows
    }
    assert quotes == expected
    assert "🇮🇶 sit here.\nSecond" in quotes.values()


def test_every_format_handles_an_empty_selection(env):
    paths, store, corpus = env
    for fmt in FORMATS:
        result = export(fmt, Filters(tags=["nothing"]), paths=paths, store=store, corpus=corpus)
        assert result.count == 0 and (result.data or fmt == "jsonl")
