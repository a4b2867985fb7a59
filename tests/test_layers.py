"""The layers' import rules: index, the store, the services and every headless module import
neither textual nor rich, so scripts, tests and other front ends can use them without a terminal;
and nothing outside index/ imports whoosh, so Whoosh stays behind the index layer (its private
API behind index/whoosh_internals.py) and an upgrade of it touches that layer only.

One parametrised test: each layer's modules are imported in a fresh interpreter and the test
fails naming the module that pulled in a UI library. New modules of these packages are found
by walking the packages, so a new headless module is checked without touching this file.
Whoosh cannot be checked that way (reader's modules import index, which imports it), so the
second test reads every module of reader/ and names the ones with a whoosh import statement or
a call of `CorpusIndex.whoosh()` (the raw Whoosh index).
"""

from __future__ import annotations

import ast
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
    "document_logic": ["reader.widgets.wrapping", "reader.widgets.document_layout",
                       "reader.widgets.document_motions", "reader.widgets.document_marks"],
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


def _whoosh_uses(source: str) -> list[str]:
    """The lines of a module's source that import whoosh or call `.whoosh()`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "whoosh"):
            found.append(f"line {node.lineno} calls .whoosh()")
            continue
        else:
            continue
        found += [f"line {node.lineno} imports {name}"
                  for name in names if name == "whoosh" or name.startswith("whoosh.")]
    return found


def test_nothing_outside_index_uses_whoosh():
    modules = sorted((REPO / "reader").rglob("*.py"))
    assert len(modules) > 50  # the walk found the package
    found = [f"{path.relative_to(REPO)} {use}" for path in modules
             for use in _whoosh_uses(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_whoosh_check_sees_imports_and_the_raw_index():
    source = ("import whoosh.query\nfrom whoosh import index\nimport whooshy\n"
              "def f(ix):\n    from index.search import search\n    return ix.whoosh().searcher()\n")
    assert _whoosh_uses(source) == [
        "line 1 imports whoosh.query", "line 2 imports whoosh", "line 6 calls .whoosh()",
    ]
