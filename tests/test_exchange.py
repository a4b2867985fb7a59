"""Exchange with other tools: CSV as spreadsheets and QDA tools read it (formula protection,
byte-order mark), and REFI-QDA projects as QualCoder and our own import read them (issue 14,
items 12-17)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.corpus import Corpus
from reader.cli import main
from reader.export import Filters, export
from reader.export.spreadsheet import CsvOptions, needs_protection, protect, unprotect
from reader.importer import import_file
from reader.model import annotation_to_json
from reader.store import AnnotationStore, NewAnnotation
from test_export import D0, D1, D2, FIXED, INTL_FIXED, add_fixed, make_env

NS = {"q": "urn:QDA-XML:project:1.0"}

# --- CSV: formula protection (item 12) ------------------------------------------------------------

PROSE = [
    "-5 degrees at dawn",
    "+972 numbers",
    "@mentions",
    "'tis the season",
    "-",
    "- item one",
    "+972 52 123 4567",
    "-5",
    "@ Reuters",
    "--flag",
    "-well-known fact",
    "-مرحبا",
    "-- PERL book (or DNS and BIND book)",
    "- wow! great",
    "+1 (555) 123-4567",
    "-- a = b",
]
FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://e.com")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "+A1",
    " =1+1",
    "\t=1+1",
    "-A1*2",
    "-(1+2)",
    "+Sheet1!A1",
    "@SUM(A1:A2)",
    "-cmd|'/C calc'",
]


@pytest.mark.parametrize("value", PROSE)
def test_prose_starting_with_a_sign_stays_exact(value):
    assert not needs_protection(value)
    assert protect(value) == value


@pytest.mark.parametrize("value", FORMULAS)
def test_formulas_are_protected_and_read_back_exactly(value):
    assert needs_protection(value)
    assert protect(value) == "'" + value
    assert unprotect(protect(value)) == value


@pytest.mark.parametrize("mode", ["formulas", "all", "none"])
@pytest.mark.parametrize("value", PROSE + FORMULAS + ["'=1+1", "''=x", "'-2+3", "'", "''", ""])
def test_protection_is_reversible_in_every_mode(mode, value):
    """A text that really starts with ' is told apart from a protected cell."""
    assert unprotect(protect(value, mode), mode) == value


@pytest.mark.parametrize("value", PROSE + FORMULAS)
def test_strict_mode_protects_at_least_what_the_default_does(value):
    assert needs_protection(value, "all") >= needs_protection(value, "formulas")


def test_a_real_leading_apostrophe_before_a_formula_gets_one_more():
    assert protect("'=1+1") == "''=1+1"
    assert protect("'tis") == "'tis"


def test_strict_and_none_modes():
    assert protect("-5 degrees at dawn", "all") == "'-5 degrees at dawn"
    assert protect("=1+1", "none") == "=1+1"
    with pytest.raises(ValueError):
        CsvOptions(protect="maybe")


CSV_FIXED = [
    (D0, "Al-Nujaba Movement threatens", 0, ("@mentions",), "-5 degrees at dawn"),
    (D0, "growing calls to end the truce", 0, ("event/truce",), '=HYPERLINK("x")'),
    (D1, "7 attacks within 72 hours", 0, ("event/attack",), "+972 numbers"),
    (D1, "attacks", 0, ("quote",), "'=not a formula, a quote"),
]


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_keeps_prose_and_protects_only_formulas(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch, fixed=CSV_FIXED)
    rows = {r["tag"]: r for r in read_csv(export("csv", paths=paths, store=store, corpus=corpus).data)}
    assert rows["@mentions"]["note"] == "-5 degrees at dawn"
    assert rows["@mentions"]["tags"] == "@mentions"
    assert rows["event/attack"]["note"] == "+972 numbers"
    assert rows["event/truce"]["note"] == "'=HYPERLINK(\"x\")"
    assert rows["quote"]["note"] == "''=not a formula, a quote"
    exact = {
        r["tag"]: r
        for r in read_csv(export("csv", paths=paths, store=store, corpus=corpus, csv=CsvOptions(protect="none")).data)
    }
    assert exact["event/truce"]["note"] == "=HYPERLINK(\"x\")"
    assert {t: unprotect(r["note"]) for t, r in rows.items()} == {t: r["note"] for t, r in exact.items()}


def test_cli_csv_protect_option(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch, fixed=CSV_FIXED)
    args = ["--corpus", str(paths.corpus), "--annotations", str(paths.annotations), "--index", str(paths.index)]
    r = CliRunner().invoke(main, [*args, "export", "-f", "csv", "--csv-protect", "all"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    rows = {row["tag"]: row for row in read_csv(r.stdout_bytes)}
    assert rows["'@mentions"]["note"] == "'-5 degrees at dawn"
    assert rows["'@mentions"]["tags"] == "'@mentions"
    r = CliRunner().invoke(main, [*args, "export", "-f", "csv", "--csv-protect", "none"], catch_exceptions=False)
    assert {row["tag"]: row for row in read_csv(r.stdout_bytes)}["event/truce"]["note"] == '=HYPERLINK("x")'


def soffice_cells(tmp_path, data: bytes) -> list[list[str]]:
    """The cells LibreOffice Calc shows after its default import of a CSV (through .ods)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    if not (Path(soffice).resolve().parent / "libsclo.so").exists():  # Writer alone cannot open a CSV
        pytest.skip("LibreOffice Calc is not installed (libreoffice-calc)")
    src = tmp_path / "lo" / "in.csv"
    src.parent.mkdir()
    src.write_bytes(data)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo' / 'profile'}"
    ods, back = tmp_path / "lo" / "ods", tmp_path / "lo" / "back"
    for fmt, path, outdir in (("ods", src, ods), ("csv", ods / "in.ods", back)):  # csv: the values Calc computed
        subprocess.run(
            [soffice, profile, "--headless", "--convert-to", fmt, "--outdir", str(outdir), str(path)],
            capture_output=True,
            timeout=300,
            check=True,
        )
    text = (back / "in.csv").read_bytes().decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_libreoffice_evaluates_nothing_and_reads_utf8(tmp_path, monkeypatch):
    """Items 12 and 13 in the real spreadsheet: no cell of ours is evaluated, and the UTF-8 text
    (with its BOM) arrives without mojibake, with Calc's default import."""
    fixed = CSV_FIXED + [(D0, "Al-Nujaba Movement", 0, ("lang",), "café “مُقَاوَمَة” 👍")]
    paths, store, corpus = make_env(tmp_path, monkeypatch, fixed=fixed)
    data = export("csv", paths=paths, store=store, corpus=corpus).data
    cells = soffice_cells(tmp_path, data)
    expected = [list(r.values()) for r in read_csv(data)]
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    note, tag = header.index("note"), header.index("tag")
    seen = {row[tag]: row[note] for row in cells[1:]}
    assert seen["event/truce"] == "'=HYPERLINK(\"x\")"  # shown, not turned into a link
    assert seen["@mentions"] == "-5 degrees at dawn"
    assert seen["lang"] == "café “مُقَاوَمَة” 👍"
    assert len(cells) == len(expected) + 1


# --- CSV: byte-order mark (item 13) ---------------------------------------------------------------


def test_csv_file_starts_with_a_bom_by_default(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch, fixed=CSV_FIXED)
    out = tmp_path / "x.csv"
    export("csv", paths=paths, store=store, corpus=corpus, output=out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbfannotation_id,")
    plain = export("csv", paths=paths, store=store, corpus=corpus, csv=CsvOptions(bom=False)).data
    assert plain.startswith(b"annotation_id,")
    assert export("jsonl", paths=paths, store=store, corpus=corpus).data.startswith(b"{")


def test_cli_bom_into_files_not_into_pipes(tmp_path, monkeypatch):
    import sys

    paths, store, corpus = make_env(tmp_path, monkeypatch, fixed=CSV_FIXED)
    args = ["--corpus", str(paths.corpus), "--annotations", str(paths.annotations), "--index", str(paths.index)]
    cli = [sys.executable, "-m", "reader", *args, "export", "-f", "csv"]
    piped = subprocess.run(cli, capture_output=True, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith(b"annotation_id,")
    with open(tmp_path / "redirected.csv", "wb") as f:
        subprocess.run(cli, stdout=f, stderr=subprocess.PIPE, timeout=120, check=True)
    assert (tmp_path / "redirected.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    forced = subprocess.run([*cli, "--bom"], capture_output=True, timeout=120, check=True)
    assert forced.stdout.startswith(b"\xef\xbb\xbf")
    out = tmp_path / "o.csv"
    subprocess.run([*cli, "-o", str(out)], capture_output=True, timeout=120, check=True)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    subprocess.run([*cli, "--no-bom", "-o", str(out)], capture_output=True, timeout=120, check=True)
    assert out.read_bytes().startswith(b"annotation_id,")


# --- REFI-QDA: the codebook, our own round trip, QualCoder (items 14-17) -------------------------


def project_xml(path):
    from lxml import etree

    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def code_paths(root) -> dict[str, object]:
    """Tag path (by Code nesting, names as written) -> Code element."""
    out = {}

    def walk(el, parent):
        for code in el.findall("q:Code", NS):
            name = f"{parent}/{code.get('name')}" if parent else code.get("name")
            out[name] = code
            walk(code, name)

    walk(root.find("q:CodeBook/q:Codes", NS), "")
    return out


def test_the_qdpx_codebook_has_every_tag_even_without_passages(tmp_path, monkeypatch):
    paths, store, corpus = make_env(tmp_path, monkeypatch)
    store.set_tag("planned/later", color="#123456", description="for the second round")
    store.set_tag("unused")
    out = tmp_path / "x.qdpx"
    export("qdpx", paths=paths, store=store, corpus=corpus, output=out)
    codes = code_paths(project_xml(out))
    assert {"planned", "planned/later", "unused", "actor/Nujaba", "event/truce"} <= set(codes)
    assert codes["planned/later"].get("color") == "#123456"
    assert codes["planned/later"].find("q:Description", NS).text == "for the second round"
    from test_export import VALIDATE_QDPX, run_tool

    proc = run_tool(VALIDATE_QDPX, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # a tag filter keeps to the tags it selects and those the exported annotations carry
    export("qdpx", Filters(tags=("actor",)), paths=paths, store=store, corpus=corpus, output=out)
    filtered = set(code_paths(project_xml(out)))
    assert {"actor", "actor/Nujaba", "actor/US", "event/attack"} <= filtered
    assert not {"planned", "planned/later", "unused"} & filtered


def everything(store: AnnotationStore):
    return ([annotation_to_json(a) for a in store.annotations()], store.codebook(), store.tags())


def test_importing_our_own_qdpx_into_an_empty_store_gives_back_everything(tmp_path, monkeypatch):
    """Ids, creators, times, colours and hierarchy survive; implicit parents (event, frame) and
    tags only annotations carry do not become codebook entries."""
    paths, store, corpus = make_env(tmp_path, monkeypatch, intl=True, fixed=FIXED + INTL_FIXED)
    store.set_tag("planned/later", color="#123456", description="no passages yet")
    alice = AnnotationStore(paths.annotations, creator="alice")
    add_fixed(alice, corpus, [(D1, "attacks", 0, ("event/attack", "tone/negative"), "alice's note")])
    nobody = AnnotationStore(paths.annotations, creator="")
    add_fixed(nobody, corpus, [(D2, "Hezbollah", 0, ("evaluation/negative",), "")])
    store.refresh()
    out = tmp_path / "own.qdpx"
    export("qdpx", paths=paths, store=store, corpus=corpus, output=out)
    fresh = AnnotationStore(tmp_path / "fresh", creator="someone else")
    report = import_file(out, fresh, corpus)
    assert report.applied and report.added == 12 and report.merged == 0, str(report)
    assert everything(fresh) == everything(store)
    assert "event" not in {t.name for t in fresh.codebook()}
    # and importing it again changes nothing
    again = import_file(out, fresh, corpus)
    assert again.added == 0 and again.tags_created == [] and everything(fresh) == everything(store)


def qualcoder_project(tmp_path, text: str, selections: list[tuple], codes: list[tuple]) -> "Path":
    """A project shaped as QualCoder writes it: one PlainTextSelection per (span, code, coder),
    random GUIDs, creator names through Users (see QualCoder's refi.py text_selection_xml)."""
    import uuid

    users = sorted({sel[3] for sel in selections})
    ug = {u: str(uuid.uuid4()) for u in users}
    cg = {name: str(uuid.uuid4()) for name, _color in codes}
    xml = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<Project xmlns="urn:QDA-XML:project:1.0" name="qc" origin="QualCoder 3.6">',
        "<Users>",
    ]
    xml += [f'<User guid="{ug[u]}" name="{u}"/>' for u in users]
    xml += ["</Users>", "<CodeBook><Codes>"]
    xml += [f'<Code guid="{cg[n]}" name="{n}" isCodable="true" color="{c}"/>' for n, c in codes]
    xml += [
        "</Codes></CodeBook>",
        "<Sources>",
        f'<TextSource guid="{uuid.uuid4()}" name="doc.txt" plainTextPath="internal://src.txt">',
    ]
    for start, end, code, user, memo, when in selections:
        xml.append(
            f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{start}" endPosition="{end}" '
            f'name="x" creatingUser="{ug[user]}" creationDateTime="{when}">'
        )
        if memo:
            xml.append(f"<Description>{memo}</Description>")
        xml.append(
            f'<Coding guid="{uuid.uuid4()}" creatingUser="{ug[user]}"><CodeRef targetGUID="{cg[code]}"/></Coding>'
        )
        xml.append("</PlainTextSelection>")
    xml += ["</TextSource>", "</Sources>", "</Project>"]
    path = tmp_path / "qualcoder.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", "\n".join(xml))
        zf.writestr("sources/src.txt", text.encode("utf-8"))
    return path


def test_qualcoder_selections_of_one_span_merge_into_one_annotation(tmp_path, monkeypatch):
    paths, _store, corpus = make_env(tmp_path, monkeypatch, fixed=[])
    text = corpus.load(D0).text
    a = text.index("Al-Nujaba Movement")
    b = text.index("threatens")
    sels = [
        (a, a + 18, "actor", "ana", "", "2024-05-01T09:00:00Z"),
        (a, a + 18, "place", "ana", "", "2024-05-01T09:05:00Z"),  # the same annotation, second code
        (a, a + 18, "place", "ben", "", "2024-05-02T10:00:00Z"),  # another coder: another annotation
        (b, b + 9, "actor", "ana", "memo", "2024-05-01T09:00:00Z"),
        (b, b + 9, "place", "ana", "other memo", "2024-05-01T09:00:00Z"),  # another note: kept apart
    ]
    project = qualcoder_project(tmp_path, text, sels, [("actor", "#ff0000"), ("place", "#00ff00")])
    fresh = AnnotationStore(tmp_path / "fresh", creator="importer")
    report = import_file(project, fresh, corpus)
    assert report.applied and report.added == 4 and report.merged == 1, str(report)
    got = sorted((x.start, x.creator, x.tags, x.note, x.created) for x in fresh.annotations())
    assert got == [
        (a, "ana", ("actor", "place"), "", "2024-05-01T09:00:00.000000Z"),
        (a, "ben", ("place",), "", "2024-05-02T10:00:00.000000Z"),
        (b, "ana", ("actor",), "memo", "2024-05-01T09:00:00.000000Z"),
        (b, "ana", ("place",), "other memo", "2024-05-01T09:00:00.000000Z"),
    ]
    assert "merged" in str(report)


def test_qdpx_avoids_the_traps_qualcoder_falls_into(tmp_path, monkeypatch):
    """Unique code names (QualCoder drops a second `negative`), source names that are safe file
    names with an extension (it copies sources to documents/<name>), the real coders as users,
    the one with most annotations first (QualCoder's coder is the first user)."""
    paths, store, corpus = make_env(tmp_path, monkeypatch, fixed=[])
    (paths.corpus / "sub").mkdir()
    (paths.corpus / "sub" / "a.txt").write_text("Notes / drafts: part 1\n\nA negative tone, a negative view.\n")
    corpus = Corpus(paths.corpus)
    doc = corpus.load("sub/a.txt")
    alice, bob = (AnnotationStore(paths.annotations, creator=n) for n in ("alice", "bob"))
    s = doc.text.index("negative tone")
    alice.add_many([NewAnnotation("sub/a.txt", doc.text, doc.sha256, s, s + 13, ("tone/negative",))])
    s = doc.text.index("negative view")
    bob.add_many([NewAnnotation("sub/a.txt", doc.text, doc.sha256, s, s + 13, ("evaluation/negative", "Negative"))])
    bob.add_many([NewAnnotation("sub/a.txt", doc.text, doc.sha256, 0, 5, ("tone/negative",))])
    out = tmp_path / "qc.qdpx"
    export("qdpx", store=AnnotationStore(paths.annotations), corpus=corpus, output=out)
    root = project_xml(out)
    names = [c.get("name") for c in root.iter("{urn:QDA-XML:project:1.0}Code")]
    assert len({n.casefold() for n in names}) == len(names), names
    assert {"negative (tone)", "negative (evaluation)"} <= set(names)
    (source,) = root.findall(".//q:TextSource", NS)
    assert "/" not in source.get("name") and source.get("name").endswith(".txt")
    users = [u.get("name") for u in root.findall("q:Users/q:User", NS)]
    assert users == ["bob", "alice"]
    assert root.get("creatingUserGUID") == root.find("q:Users/q:User", NS).get("guid")
    # and our own import reads the disambiguated names back as the tags they are
    fresh = AnnotationStore(tmp_path / "fresh")
    import_file(out, fresh, corpus)
    assert {t for a in fresh.annotations() for t in a.tags} == {"tone/negative", "evaluation/negative", "Negative"}
