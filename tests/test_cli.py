"""The command line as scripts use it: outputs, JSON shapes and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from reader.cli import main

from conftest import SEEDS


@pytest.fixture()
def corpus_args(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    return ["--corpus", str(corpus), "--annotations", str(tmp_path / "ann"), "--index", str(tmp_path / "ix")]


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version_and_help_say_where_annotations_go():
    assert run("--version").output.strip().endswith("0.1.0")
    result = run("--help")
    assert result.exit_code == 0
    assert "annotations" in result.output and "Where things live" in result.output
    assert "search" in result.output and "index" in result.output


def test_every_command_is_where_command_homes_says():
    import importlib

    from reader.cli import root

    homes = {}
    for name in root.COMMAND_MODULES:
        for command in importlib.import_module(name).COMMANDS:
            homes[command.name] = name
    assert root.COMMAND_HOMES == homes


def test_a_command_imports_its_own_module_and_not_the_others():
    code = (
        "import sys\n"
        "from reader.cli import main\n"
        "main(['agree', '--help'], standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('reader.cli.', 'reader.export'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    modules = eval(done.stdout.splitlines()[-1])
    assert "reader.cli.agree" in modules
    assert not {"reader.cli.export", "reader.cli.views", "reader.cli.store", "reader.cli.compare"} & set(modules)
    assert not any(m.startswith("reader.export") for m in modules)


def test_help_and_an_unknown_name_still_see_every_command():
    result = run("--help")
    for name in ("agree", "export", "kwic", "git-setup", "store", "tag"):
        assert f"  {name} " in result.output
    unknown = CliRunner().invoke(main, ["nosuchcommand"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output


def test_index_reports_every_seed_then_nothing_on_reopen(corpus_args):
    first = run("index", *corpus_args)
    assert first.exit_code == 0, first.output
    assert "5 indexed" in first.output
    second = run("index", *corpus_args)
    assert "0 indexed" in second.output and "5 unchanged" in second.output


def test_search_json_lines_have_the_contract_fields(corpus_args, tmp_path):
    result = run("search", "Thabet", "--json", *corpus_args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {row["id"] for row in rows} >= {"000_5f0b56e8f3292fd3.txt", "003_c50da1745df50ef1.txt"}
    for row in rows:
        assert set(row) >= {"id", "title", "score", "spans", "snippet"}
        text = (tmp_path / "corpus" / row["id"]).read_text(encoding="utf-8")
        for start, end in row["spans"]:
            assert text[start:end].lower().startswith("thab")
    assert rows[0]["id"] == "000_5f0b56e8f3292fd3.txt"  # exact spelling ranks first


def test_search_limit(corpus_args):
    result = run("search", "Iraq", "--json", "--limit", "2", *corpus_args)
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 2


def test_search_human_output_has_total_and_titles(corpus_args):
    result = run("search", "Babil", *corpus_args)
    assert result.exit_code == 0
    assert "hit" in result.output
    assert "The Iraqi Nujaba Movement announced" in result.output or "003_" in result.output


def test_search_nothing_found_exits_1_with_suggestion(corpus_args):
    result = CliRunner().invoke(main, ["search", "goverment", *corpus_args])
    assert result.exit_code == 1
    assert "No matches. Did you mean:" in result.output
    assert "government" in result.output.lower()


def test_misspelt_name_found_by_sound_still_suggests_the_corpus_spelling(corpus_args):
    result = CliRunner().invoke(main, ["search", "Nujabba", *corpus_args])
    assert result.exit_code == 0
    assert "Did you mean: nujaba" in result.output.lower().replace("did you mean", "Did you mean")


def test_invalid_query_exits_2_with_message(corpus_args):
    result = CliRunner().invoke(main, ["search", 'title:', *corpus_args])
    assert result.exit_code == 2
    assert "invalid query" in result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(corpus_args, tmp_path):
    assert CliRunner().invoke(main, ["search"]).exit_code == 2
    assert CliRunner().invoke(main, ["nosuchcommand"]).exit_code == 2
    assert CliRunner().invoke(main, ["search", "x", "--corpus", str(tmp_path / "missing")]).exit_code == 2


def test_group_options_reach_subcommands(corpus_args, tmp_path):
    result = run(*corpus_args, "where")
    assert f"annotations\t{tmp_path / 'ann'}" in result.output
    assert f"index\t{tmp_path / 'ix'}" in result.output


def test_console_script_runs_in_a_subprocess(corpus_args):
    proc = subprocess.run(
        [sys.executable, "-m", "reader", "search", "Babel", "--json", *corpus_args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "003_c50da1745df50ef1.txt" in proc.stdout
