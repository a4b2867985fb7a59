"""reader: a keyboard-driven terminal reader and annotator for text corpora."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reader")  # the one place the version is written: pyproject.toml
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
