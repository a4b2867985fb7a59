"""Headless corpus layer: discovery, decoding, metadata, structure, the Whoosh index and search.

This package never imports textual or rich (a test proves it in a subprocess), so scripts,
benchmarks and tests use it without a terminal.
"""

import logging

from index.mapped import install as _install_mapped_files
from index.whoosh_version import check as _check_whoosh

_check_whoosh()  # private Whoosh API is used below: say so if the version is not the tested one

_install_mapped_files()  # before any index is opened: see index/mapped.py

# A library's loggers stay silent unless the program using it says where records go (the app:
# reader/logs.py); without this, Python would print its warnings on a terminal the app draws.
logging.getLogger("index").addHandler(logging.NullHandler())
