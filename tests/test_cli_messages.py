"""The command line's own messages read right (issue 14 item 11): a missing folder is called
one, summaries never wrap, store problems are sentences."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from reader.cli import main
from reader.store import AnnotationStore

from conftest import SEEDS


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_missing_folder_is_called_a_missing_folder(tmp_path):
    result = run(str(tmp_path / "nonexistent"))
    assert result.exit_code == 2
    assert f"no such folder: {tmp_path / 'nonexistent'}" in result.output
    assert "No such command" not in result.output
    result = run("./not-here")
    assert result.exit_code == 2 and "no such folder: ./not-here" in result.output


def test_a_file_given_as_the_folder_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = run(str(tmp_path / "notes.txt"))
    assert result.exit_code == 2
    assert "is a file" in result.output and "folder" in result.output


def test_an_unknown_word_is_neither_a_command_nor_a_folder():
    result = run("serch")
    assert result.exit_code == 2
    assert "No such command 'serch'" in result.output and "no folder of that name" in result.output


def test_the_index_summary_never_wraps_when_piped(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = tmp_path / ("a-long-folder-name-" * 6) / "index"  # the line is over 80 columns
    result = run("index", "--corpus", str(corpus), "--annotations", str(tmp_path / "ann"), "--index", str(index))
    assert result.exit_code == 0, result.output
    assert f"index: {index}\n" in result.output
    summary = [line for line in result.output.splitlines() if "indexed (" in line]
    assert summary and summary[0].endswith(" s")  # one line, the time at its end


def test_a_broken_codebook_is_read_only_in_a_sentence(tmp_path):
    folder = tmp_path / "ann"
    AnnotationStore(folder).add("a.txt", "some text here", "sha", 0, 4, ["place"])
    lines = ['{"format_version": 1,', '"tags": [', '{"name": "bad\tname"']
    (folder / "codebook.json").write_text("\n".join(lines), encoding="utf-8")
    [problem] = AnnotationStore(folder).problems
    message = str(problem)
    assert "the codebook is read-only" in message
    assert "invalid control character at line 3, column 14" in message
    assert "at," not in message and "are read-only" not in message


def test_a_broken_annotation_file_names_the_place_of_the_error(tmp_path):
    folder = tmp_path / "ann"
    store = AnnotationStore(folder)
    store.add("a.txt", "some text here", "sha", 0, 4, ["place"])
    [path] = (folder / "docs").glob("*.json")
    path.write_text('{"format_version": 1,\n  "annotations": [,]}', encoding="utf-8")
    [problem] = AnnotationStore(folder).problems
    assert "not valid JSON: expecting value at line 2, column 19" in problem.reason
    assert "the annotations of a.txt are read-only" in str(problem)
