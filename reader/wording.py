"""Words for counts, shared by the app and the command line (headless: no textual, no rich)."""

from __future__ import annotations


def plural(n: int, word: str = "annotation", many: str | None = None) -> str:
    """`1 tag`, `2 tags`, `1,204 documents` (`many`: the plural when it is not word + s)."""
    return f"{n:,} " + (word if n == 1 else many or word + "s")
