"""What the command line prints for programs keeps the exact text, in printable characters."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from reader.cli.output import json_line, shown
from reader.safe_text import UNSAFE, sanitize_layout

NASTY = "a\x1b]0;t\x07 b\x9b31m c\u2028d\u2029e \u202eevil\x7f f\ud800 g\nh\ti"


def test_json_lines_escape_what_terminals_and_line_splitters_act_on():
    line = json_line({"quote": NASTY})
    assert not UNSAFE.search(line), line  # only printable characters
    assert len(line.splitlines()) == 1  # U+2028/U+2029 would split it in JavaScript or Python
    assert "\\u2028" in line and "\\u2029" in line and "\\u009b" in line and "\\u202e" in line
    assert json.loads(line) == {"quote": NASTY}  # exact


@given(st.text())
def test_json_lines_round_trip_any_text(text):
    line = json_line([text])
    assert not UNSAFE.search(line) and json.loads(line) == [text]


def test_values_for_people_show_every_control_as_a_symbol():
    assert shown("a\nb\x1b[2J") == "a␊b␛[2J"
    assert sanitize_layout("row 1\r\nrow\t2 \x1b]0;x\x07\n") == "row 1\nrow\t2 ␛]0;x␇\n"
