"""Exchange with other tools: CSV as spreadsheets and QDA tools read it (formula protection,
byte-order mark), and REFI-QDA projects as QualCoder and our own import read them (issue 14,
items 12-17)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.export import export
from reader.export.spreadsheet import CsvOptions, needs_protection, protect, unprotect
from test_export import D0, D1, make_env

# --- CSV: formula protection (item 12) ------------------------------------------------------------

PROSE = ["-5 degrees at dawn", "+972 numbers", "@mentions", "'tis the season", "-", "- item one",
         "+972 52 123 4567", "-5", "@ Reuters", "--flag", "-well-known fact", "-مرحبا"]
FORMULAS = ["=1+1", '=HYPERLINK("http://e.com")', "+1+1", "-2+3", "@SUM(1+1)",
            "-2+3+cmd|' /C calc'!A0", "+A1", " =1+1", "\t=1+1", "-A1*2"]


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
    exact = {r["tag"]: r for r in read_csv(export("csv", paths=paths, store=store, corpus=corpus,
                                                  csv=CsvOptions(protect="none")).data)}
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
    src = tmp_path / "lo" / "in.csv"
    src.parent.mkdir()
    src.write_bytes(data)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo' / 'profile'}"
    ods, back = tmp_path / "lo" / "ods", tmp_path / "lo" / "back"
    for fmt, path, outdir in (("ods", src, ods), ("csv", ods / "in.ods", back)):  # csv: the values Calc computed
        subprocess.run([soffice, profile, "--headless", "--convert-to", fmt, "--outdir", str(outdir), str(path)],
                       capture_output=True, timeout=300, check=True)
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
