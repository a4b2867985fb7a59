"""The corpus layer must work without a terminal: importing it pulls in neither textual nor rich."""

from __future__ import annotations

import json
import subprocess
import sys

MODULES = ["index", "index.corpus", "index.decoding", "index.metadata", "index.structure"]


def test_index_imports_neither_textual_nor_rich():
    code = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('textual', 'rich'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []


def test_the_check_itself_can_fail():
    """Guard against a vacuous test: importing rich is visible the same way."""
    code = "import sys, rich.text; print('rich' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "True"
