"""Headless corpus layer: discovery, decoding, metadata, structure, the Whoosh index and search.

This package never imports textual or rich (a test proves it in a subprocess), so scripts,
benchmarks and tests use it without a terminal.
"""

from index.mapped import install as _install_mapped_files

_install_mapped_files()  # before any index is opened: see index/mapped.py
