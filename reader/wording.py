"""Words for counts and short forms of long text, shared by the app and the command line
(headless: no textual, no rich). One home for each rule, so the app and the CLI say the same."""

from __future__ import annotations

from reader.safe_text import sanitize

ELLIPSIS = "…"


def plural(n: int, word: str = "annotation", many: str | None = None) -> str:
    """`1 tag`, `2 tags`, `1,204 documents` (`many`: the plural when it is not word + s)."""
    return f"{n:,} " + (word if n == 1 else many or word + "s")


def ellipsize(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the last an ellipsis when anything was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


def one_line(text: str, limit: int = 70) -> str:
    """`text` on one line, sanitized, cut with an ellipsis at `limit` characters."""
    return ellipsize(sanitize(" ".join(text.split())), limit)  # line breaks are blanks, not ␊


def search_failed_again(reason: str, index_folder: object, log: object | None) -> str:
    """What a search that failed again on the index rebuilt for it says, in the CLI and the app:
    a rebuild cannot mend it (a bug, or a corpus the index cannot take), so the words say what
    the user can do. Lower case first, no `reader:`; the caller sanitises what it prints."""
    details = f" with the details in {log}" if log is not None else ""
    return (
        f"searching failed again after rebuilding the index ({reason}); delete the index folder "
        f"{index_folder} (only a cache, rebuilt when next needed: no annotations are kept there) "
        f"or choose another with --index or READER_INDEX, and if the search still fails, please report a bug{details}."
    )
