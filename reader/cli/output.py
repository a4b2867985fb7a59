"""Everything `reader` prints: for a person through one sanitiser, for a program exactly.

Corpus text, file names, titles, sources, tags and notes are untrusted: a document may hold
`ESC]0;...BEL` (sets the window title), `ESC[2J` (clears the screen) or bidi controls that
reorder a line. On a terminal, text meant for a person goes through `reader.safe_text`:

- `shown(value)` for one untrusted value inside a line: every control character, newline and
  tab included, becomes a visible symbol (`␛`, `␊`), bidi controls become `⇆`;
- `say(message)` for the whole line or message as printed: its own newlines and tabs pass,
  anything unsafe left in it is replaced all the same (a net under `shown`);
- Rich tables and bars build `Text` from `shown` strings (never markup).

For programs, the exact text: `--json` (`json_line`) escapes every control character, C1,
bidi control, U+2028/U+2029 (which line splitters break on) and lone surrogate as `\\uXXXX`, so
the line is pure printable text and decodes to the exact value. CSV and exports written to a
file or a pipe are exact; written to a terminal (a person reading them), every cell is
sanitised like any other output (`csv_rows`, `write_export`): redirect to keep the exact text.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Iterable

import click

from reader.safe_text import TRANSLATE_TABLE, sanitize, sanitize_layout

# json.dumps(ensure_ascii=False) escapes U+0000-U+001F itself; the rest of what a terminal (or a
# line splitter) would act on is escaped here.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in TRANSLATE_TABLE if code >= 0x7F}


def shown(value: object) -> str:
    """One untrusted value as it may appear in a line for a person."""
    return sanitize(str(value))


def say(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line or message for a person (stdout, or stderr with `err`)."""
    click.echo(sanitize_layout(str(message)), err=err, nl=nl)


def json_line(value: object, **dumps_options) -> str:
    """`value` as one line of JSON made of printable characters only."""
    return json.dumps(value, ensure_ascii=False, **dumps_options).translate(_JSON_ESCAPES)


def say_json(value: object, **dumps_options) -> None:
    """Print `value` as one JSON line on stdout."""
    click.echo(json_line(value, **dumps_options))


def to_terminal(stream=None) -> bool:
    """True when `stream` (stdout by default) is a terminal: then a person reads it."""
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def csv_rows(header: list[str], rows: Iterable[Iterable[object]]) -> None:
    """CSV on stdout: exact when redirected; each cell sanitised on a terminal."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    clean = to_terminal()
    writer.writerow(header)
    for row in rows:
        writer.writerow([shown(cell) for cell in row] if clean else row)
    sys.stdout.flush()


def write_export(data: bytes) -> None:
    """An export's bytes on stdout: exact when redirected; sanitised for a terminal."""
    if to_terminal():
        click.echo(sanitize_layout(data.decode("utf-8", errors="replace")), nl=False)
        return
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:  # a text-only stdout (some test harnesses)
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    stream.write(data)
    stream.flush()
