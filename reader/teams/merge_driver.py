"""The git merge driver: `python -P -m reader.teams.merge_driver %O %A %B %P`.

git runs it for every file `.gitattributes` marks `merge=reader` that both sides changed
(`reader git-setup` installs it with this interpreter's absolute path, so it works whether or
not `reader` is on the PATH of whoever merges). It writes the merged file over %A, byte for byte
what the store writes, and exits 0; annotations both sides changed differently are kept in the
file's `conflicts` list and named on stderr. When it cannot merge (a file that does not parse, a
tag or attribute set differently on both sides) it leaves %A alone, says why on stderr and exits
1, so git marks the file conflicted: it never silently takes one side.
"""

from __future__ import annotations

import sys
from pathlib import Path

from index.atomic import write_atomic
from reader.teams.merge3 import MergeRefused, is_codebook, merge_codebook, merge_document


def sanitize(text: str) -> str:
    """Control and format characters (from a file name, a tag, a note) shown as U+FFFD.

    reader.safe_text is the app's and the CLI's sanitiser, but it needs rich; the driver runs
    once per file in every merge and stays headless (tests/test_layers.py), so it keeps this
    stricter one: nothing but printable text reaches the terminal of whoever merges."""
    import unicodedata

    return "".join("\ufffd" if unicodedata.category(c)[0] == "C" and c != "\n" else c for c in text)


EXIT_MERGED = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


def merge_paths(base: Path, ours: Path, theirs: Path, name: str) -> list[str]:
    """Merge the three versions into `ours`; returns the messages for the person merging."""
    versions = [p.read_bytes() for p in (base, ours, theirs)]
    if is_codebook(*versions):
        data, notes = merge_codebook(*versions), []
    else:
        result = merge_document(*versions)
        data = result.data
        notes = [
            f"reader: {name}: annotation {c.id} was changed differently on both sides; "
            "every version is kept (reader annotations --conflicts)"
            for c in result.conflicts
        ]
    write_atomic(ours, data)
    return notes


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: python -m reader.teams.merge_driver BASE OURS THEIRS PATH", file=sys.stderr)
        return EXIT_USAGE
    base, ours, theirs, name = argv
    try:
        notes = merge_paths(Path(base), Path(ours), Path(theirs), name)
    except MergeRefused as exc:
        print(
            sanitize(
                f"reader merge driver: cannot merge {name}: {exc}; the file is left as on "
                "your side and marked conflicted: edit it, then git add it"
            ),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    except (OSError, ValueError) as exc:
        print(sanitize(f"reader merge driver: cannot merge {name}: {exc}"), file=sys.stderr)
        return EXIT_REFUSED
    for note in notes:
        print(sanitize(note), file=sys.stderr)
    return EXIT_MERGED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
