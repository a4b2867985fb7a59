"""bench/app_search.py, the app's search path shared by bench_search_kinds, bench_engines and
bench_big: it opens a real index, keeps the queries file it is given, and times a search
whose result is the app's (no timed assertions: only that the figures are there)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def app_search(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    import app_search

    return app_search


def test_the_app_search_path_times_a_real_search(app_search, tmp_path):
    corpus = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", corpus)
    index_dir = tmp_path / "index"
    queries_file = app_search.queries_file_for(index_dir)
    queries_file.write_text(json.dumps([["term", "truce"], ["phrase", '"resistance forces"']]))

    queries = app_search.load_queries(corpus, index_dir)

    assert queries == [("term", "truce"), ("phrase", '"resistance forces"')]
    with app_search.AppSearch(corpus, index_dir, helper=False) as app:
        timings = [app.run(text) for _kind, text in queries]
    assert all(t.total >= 1 and t.result.hits for t in timings)
    assert all(t.ms > 0 and t.cpu_ms >= 0 for t in timings)
    assert "000_5f0b56e8f3292fd3.txt" in {h.doc_id for h in timings[0].result.hits}


def test_percentile_interpolates(app_search):
    assert app_search.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert app_search.percentile([5.0], 95) == 5.0


def test_the_engines_bench_translates_the_query_kinds(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    import bench_engines

    assert bench_engines.fts5_query("and", "kernel AND driver") == '"kernel" AND "driver"'
    assert bench_engines.fts5_query("prefix", "conf*") == '"conf" *'
    assert bench_engines.fts5_query("field", 'title:"Memory Management"') == 'title : "Memory Management"'
    assert bench_engines.fts5_query("fuzzy", "kernle~") is None
    assert bench_engines.fts5_query("name", "Torvalds") is None
    assert sys.modules["bench_engines"].parse("kernle~2")[0].distance == 2
