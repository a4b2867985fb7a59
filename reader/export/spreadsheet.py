"""What a CSV must look like for spreadsheets and QDA tools to read it as written.

Two rules, one place (the CSV writer and its tests use them; the README describes them):

Formula protection (`protect`). A spreadsheet opening a CSV turns some cells into formulas, and
corpus text is untrusted (OWASP "CSV injection": `=HYPERLINK(...)`, `-2+3+cmd|'/C calc'!A0`).
A protected cell gets one leading `'`, which makes the spreadsheet show it as text. Modes:

- `formulas` (the default): only cells a spreadsheet would evaluate. Ignoring leading
  whitespace, a cell that starts with `=`; or one that starts with `+`, `-` or `@` and is
  formula syntax: it holds a function call (`SUM(`, `HYPERLINK(`), a DDE or sheet reference
  (`cmd|`, `Sheet1!A1`), starts with `(`, or is an expression of numbers, cell references and
  operators (`-2+3`, `+A1`). Prose stays exact: "-5 degrees at dawn", "+972 numbers", a tag
  `@mentions`, "-- PERL book (or DNS and BIND book)". (LibreOffice Calc's default import
  evaluates `=` cells only; Excel also reads `+`/`-`/`@` formulas.)
- `all`: OWASP's strict rule, every cell that starts with `=`, `+`, `-`, `@`, tab or CR (and
  whatever `formulas` protects).
- `none`: every cell exact (for scripts that never open a spreadsheet).

Reversible: a cell that really starts with `'` in front of something protected gets one more
`'` too, so the rule to read a protected CSV back exactly is `unprotect`: a cell that starts with
`'` and would be protected without its leading `'`s loses one `'`. A text like "'tis" is left as
it is.

Byte-order mark (`bom`). Spreadsheets and QDA tools guess the encoding of a CSV without a BOM
(Taguette guessed Windows-1254 for a small UTF-8 file and rejected it; LibreOffice shows
mojibake unless UTF-8 is chosen by hand); with the UTF-8 BOM they all read UTF-8. So files get
a BOM by default; scripts reading a pipe get none (see `reader export --bom/--no-bom`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["BOM", "PROTECT_MODES", "CsvOptions", "needs_protection", "protect", "unprotect"]

BOM = "\ufeff"

ProtectMode = Literal["formulas", "all", "none"]
PROTECT_MODES: dict[str, str] = {
    "formulas": "a leading ' on cells a spreadsheet would evaluate as a formula (default)",
    "all": "a leading ' on every cell starting with = + - @ tab or CR (OWASP's strict rule)",
    "none": "every cell exact",
}

_LEADING_SPACE = " \t\r\n"
_FORMULA_SYNTAX = re.compile(
    r"^\s*\("  # a parenthesised expression: -(1+2)
    r"|[A-Za-z_][\w.]*\("  # a function call: SUM(, HYPERLINK(
    r"|[A-Za-z]\s*\|"  # a DDE call: cmd|
    r"|[\w']!\$?[A-Za-z]{1,3}\$?\d"  # a sheet reference: Sheet1!A1, calc'!A0
)
_OPERAND = r"(?:\$?[A-Za-z]{1,3}\$?\d+|\d[\d.,]*%?|[A-Za-z_][\w.]*)"
_EXPRESSION = re.compile(rf"\s*{_OPERAND}(?:\s*[-+*/^&]\s*{_OPERAND})*\s*")
_NUMBER = re.compile(r"\s*\d[\d.,]*%?\s*")
_WORD = re.compile(r"\s*[A-Za-z_][\w.]*\s*")
_CELL = re.compile(r"\s*\$?[A-Za-z]{1,3}\$?\d+\s*")


@dataclass(frozen=True)
class CsvOptions:
    """How the CSV is written: formula protection mode and whether a UTF-8 BOM leads."""

    protect: ProtectMode = "formulas"
    bom: bool = True

    def __post_init__(self) -> None:
        if self.protect not in PROTECT_MODES:
            raise ValueError(f"protect must be one of {', '.join(PROTECT_MODES)}, not {self.protect!r}")


def needs_protection(value: str, mode: ProtectMode = "formulas") -> bool:
    """Whether a spreadsheet would (in `mode`'s view) read `value` as a formula."""
    if mode == "none" or not value:
        return False
    if mode == "all" and value[0] in "=+-@\t\r":
        return True
    body = value.lstrip(_LEADING_SPACE)
    if not body:
        return False
    if body[0] == "=":
        return True
    if body[0] not in "+-@":
        return False
    rest = body[1:]
    if _FORMULA_SYNTAX.search(rest):
        return True
    if _NUMBER.fullmatch(rest):  # "-5", "+972": a number, read as the same number
        return False
    if _WORD.fullmatch(rest):  # "@mentions", "-flag": a word, not a formula, unless a cell (`+A1`)
        return bool(_CELL.fullmatch(rest))
    return bool(_EXPRESSION.fullmatch(rest))  # "-2+3", "+A1*2"


MAY_NEED = frozenset("'=+-@" + _LEADING_SPACE)
"""The first characters of every value `needs_protection` may protect (with `'`, which
`protect` strips first): a value starting otherwise, nearly every cell, is written as it is."""


def protect(value: str, mode: ProtectMode = "formulas") -> str:
    """`value` as a CSV cell: one leading `'` when protected (see the module docstring)."""
    if not value or value[0] not in MAY_NEED:
        return value
    if mode != "none" and needs_protection(value.lstrip("'"), mode):
        return "'" + value
    return value


def unprotect(cell: str, mode: ProtectMode = "formulas") -> str:
    """The exact value of a cell `protect` wrote in `mode`."""
    if mode != "none" and cell.startswith("'") and needs_protection(cell.lstrip("'"), mode):
        return cell[1:]
    return cell
