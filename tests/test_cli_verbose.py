"""`reader --verbose` / READER_VERBOSE=1: what is logged also on stderr, made visible (issue 15)."""

from __future__ import annotations

import os
import subprocess
import sys

from reader import logs

from conftest import REPO


def _run(*args, env_extra=None, tmp_path):
    env = {**os.environ, "READER_STATE_DIR": str(tmp_path / "state"), **(env_extra or {})}
    code = (
        "import logging, sys\n"
        "import index.search.blocks  # the logger's module, as when it logs (commands import it lazily)\n"
        "from reader.cli import main\n"
        "import reader.cli.root as root\n"
        "logging.getLogger('index.search.blocks').warning('fell back: \\x1b[31mred\\x1b[0m')\n"
        "sys.argv = ['reader', *sys.argv[1:]]\n"
        "try:\n"
        "    main(standalone_mode=False)\n"
        "finally:\n"
        "    logging.getLogger('index.search.blocks').warning('after: \\x1b]0;title\\x07')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_verbose_prints_the_log_on_stderr_with_escapes_visible(tmp_path):
    done = _run("--verbose", "where", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "reader: WARNING index.search.blocks: after:" in done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "title" in done.stderr  # shown, not sent as a terminal's title sequence


def test_the_environment_asks_for_it_too(tmp_path):
    done = _run("where", env_extra={"READER_VERBOSE": "1"}, tmp_path=tmp_path)
    assert "index.search.blocks: after:" in done.stderr


def test_without_it_stderr_stays_quiet_and_the_file_gets_the_record(tmp_path):
    done = _run("where", env_extra={"READER_VERBOSE": "0"}, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "after:" not in done.stderr
    assert "after:" in (tmp_path / "state" / "reader.log").read_text("utf-8")


def test_verbose_wanted_reads_the_usual_false_words(monkeypatch):
    for value, wanted in (("1", True), ("yes", True), ("0", False), ("false", False), ("", False)):
        monkeypatch.setenv(logs.VERBOSE_ENV, value)
        assert logs.verbose_wanted() is wanted, value
