"""The layers' import rule: index, the store, the services and every headless module import
neither textual nor rich, so scripts, tests and other front ends can use them without a terminal.

One parametrised test: each layer's modules are imported in a fresh interpreter and the test
fails naming the module that pulled in a UI library. New modules of these packages are found
by walking the packages, so a new headless module is checked without touching this file.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
UI = ("textual", "rich")


def _walk(package: str) -> list[str]:
    folder = REPO.joinpath(*package.split("."))
    names = [package]
    for info in pkgutil.walk_packages([str(folder)], prefix=package + "."):
        names.append(info.name)
    return names


LAYERS = {
    "index": _walk("index"),
    "store": [*_walk("reader.store"), "reader.model", "reader.anchoring", "reader.paths",
              "reader.coders", "reader.coder_view", "reader.wording", "reader.highlight"],
    "services": ["reader.services"],
    "agreement": _walk("reader.agreement"),
    "exchange": [*_walk("reader.export"), "reader.importer", "reader.importer_refi"],
    "analytics": [*_walk("reader.analytics"), *_walk("reader.align")],
    "teams": _walk("reader.teams"),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layer_imports_no_ui_library(layer):
    code = (
        "import importlib, sys\n"
        f"for name in {LAYERS[layer]!r}:\n"
        "    importlib.import_module(name)\n"
        f"    ui = sorted({{m.split('.')[0] for m in sys.modules}} & set({UI!r}))\n"
        "    if ui:\n"
        "        print(name, 'imports', ', '.join(ui)); sys.exit(1)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
