"""The Whoosh this package was built against, checked once when `index` is imported.

`index/` reaches into Whoosh's private API for speed: the search fast paths and the term
counts through index/whoosh_internals.py (each with a slower public fallback that logs why it
was taken), the segment files in mapped.py, the writer in writing.py. After an upgrade the app
would only get slower or, worse, subtly different. A
version other than the one tested says so at once, naming the supported one, instead of
leaving the user to find out.
"""

from __future__ import annotations

import warnings

import whoosh

SUPPORTED = (2, 7, 5)
"""whoosh-reloaded 2.7.5, as pinned in pyproject.toml."""


class UnsupportedWhoosh(UserWarning):
    """The installed Whoosh is not the version the fast paths were written and tested for."""


def check(found: tuple[int, ...] | None = None) -> bool:
    """True when the installed Whoosh is the supported one; else warn and return False."""
    found = tuple(whoosh.__version__) if found is None else found
    if found[:3] == SUPPORTED:
        return True
    warnings.warn(
        f"reader supports whoosh-reloaded {'.'.join(map(str, SUPPORTED))}, found "
        f"{'.'.join(map(str, found))}: search may be slower or differ; install "
        f"whoosh-reloaded=={'.'.join(map(str, SUPPORTED))}",
        UnsupportedWhoosh,
        stacklevel=2,
    )
    return False
