"""reader: a keyboard-driven terminal reader and annotator for text corpora.

`__version__` is read from the installed package's metadata when first asked for (PEP 562):
importing importlib.metadata (and the zipfile, email and csv modules it brings) costs about
0.05-0.08 s, which the app would otherwise pay at every start before its first frame.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module 'reader' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("reader")  # the one place the version is written: pyproject.toml
    except PackageNotFoundError:  # run from a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
