"""A passage of a PDF or a transcript, tagged by quote with the real CLI, exported with the
page or the cue time a reader of the original finds it at, in every export format."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def where(tmp_path: Path) -> list[str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("interview.pdf", "interview.srt", "market.vtt"):
        shutil.copy(FIXTURES / name, corpus / name)
    args = ["--corpus", corpus, "--annotations", tmp_path / "ann", "--index", tmp_path / "ix"]
    for doc, quote, tag in [
        ("interview.pdf", "the harvest and the rain", "weather"),
        ("interview.pdf", "the old bridge", "place"),
        ("interview.srt", "spring of 2019", "time"),
    ]:
        r = run("tag", doc, "--quote", quote, "--tag", tag, *args)
        assert r.exit_code == 0, r.output
    return args


def _export(where, fmt: str) -> str:
    r = run("export", "--format", fmt, *where)
    assert r.exit_code == 0, r.output
    return r.stdout


def test_csv_and_jsonl_carry_the_page_and_the_time(where) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(where, "csv").lstrip("\ufeff"))))
    positions = {row["quote"]: row["position"] for row in rows}
    assert positions == {"the old bridge": "p. 1", "the harvest and the rain": "p. 2", "spring of 2019": "00:14:03"}
    records = [json.loads(line) for line in _export(where, "jsonl").splitlines() if line.strip()]
    assert {r["quote"]: r["position"] for r in records} == positions


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_md_and_html_name_the_page_and_the_time(where, fmt: str) -> None:
    out = _export(where, fmt)
    assert "p. 2" in out and "p. 1" in out and "00:14:03" in out


def test_w3c_refines_the_text_selectors_with_a_fragment(where) -> None:
    data = json.loads(_export(where, "w3c"))
    items = data["first"]["items"] if "first" in data else data.get("items", data)
    fragments = {}
    for item in items:
        selectors = item["target"]["selector"]
        selectors = selectors if isinstance(selectors, list) else [selectors]
        quote = next(s for s in selectors if s["type"] == "TextQuoteSelector")["exact"]
        fragment = [s for s in selectors if s["type"] == "FragmentSelector"]
        fragments[quote] = fragment[0]["value"] if fragment else None
        if fragment:
            assert fragment[0]["refinedBy"]["exact"] == quote
    assert fragments == {"the old bridge": "page=1", "the harvest and the rain": "page=2", "spring of 2019": "t=843"}


def test_qdpx_carries_the_extracted_text_as_the_plain_text_source(where, tmp_path) -> None:
    import zipfile

    out = tmp_path / "project.qdpx"
    r = run("export", "--format", "qdpx", "-o", out, *where)
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as archive:
        texts = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".txt")]
    assert any("On the second page the interview turns to the harvest and the rain." in t for t in texts)
    assert not any(t.startswith("%PDF") for t in texts)
