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

import pytest

from conftest import REPO

UI = ("textual", "rich")


def _walk(package: str) -> list[str]:
    folder = REPO.joinpath(*package.split("."))
    names = [package]
    for info in pkgutil.walk_packages([str(folder)], prefix=package + "."):
        names.append(info.name)
    return names


def _starting(package: str, prefix: str) -> list[str]:
    """The modules (and packages, walked) of `package` whose names start with `prefix`: the
    command line, whether it is flat `cli*.py` modules or a `cli/` package."""
    folder = REPO.joinpath(*package.split("."))
    names = []
    for info in pkgutil.iter_modules([str(folder)], prefix=package + "."):
        if info.name.rsplit(".", 1)[1].startswith(prefix):
            names.extend(_walk(info.name) if info.ispkg else [info.name])
    return names


LAYERS = {
    "index": _walk("index"),
    "store": [
        *_walk("reader.store"),
        "reader.model",
        "reader.anchoring",
        "reader.paths",
        "reader.coders",
        "reader.coder_view",
        "reader.wording",
        "reader.highlight",
    ],
    "services": [
        "reader.services",
        "reader.autocode_service",
        "reader.compare_service",
        "reader.conflict_service",
        "reader.snippets",
        "reader.safe_text",
        "reader.positions",
        "reader.tag_walk",
        "reader.config",
        "reader.dialog_state",
        "reader.logs",
    ],
    "agreement": _walk("reader.agreement"),
    "exchange": [*_walk("reader.export"), *_walk("reader.importer")],
    "analytics": [*_walk("reader.analytics"), *_walk("reader.align")],
    "teams": _walk("reader.teams"),
    "document_logic": [
        "reader.widgets.wrapping",
        "reader.widgets.document_layout",
        "reader.widgets.document_motions",
        "reader.widgets.document_marks",
    ],
    "cli": _starting("reader", "cli"),
}


def _imports_ui(modules: list[str]) -> subprocess.CompletedProcess:
    """Import `modules` in a fresh interpreter; exit 1 naming the first that loaded a UI library."""
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"    ui = sorted({{m.split('.')[0] for m in sys.modules}} & set({UI!r}))\n"
        "    if ui:\n"
        "        print(name, 'imports', ', '.join(ui)); sys.exit(1)\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layer_imports_no_ui_library(layer):
    assert len(LAYERS[layer]) >= 1 and all(LAYERS[layer])
    result = _imports_ui(LAYERS[layer])
    assert result.returncode == 0, result.stdout + result.stderr


def _whoosh_uses(source: str) -> list[str]:
    """The lines of a module's source that import whoosh or call `.whoosh()`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "whoosh":
            found.append(f"line {node.lineno} calls .whoosh()")
            continue
        else:
            continue
        found += [
            f"line {node.lineno} imports {name}" for name in names if name == "whoosh" or name.startswith("whoosh.")
        ]
    return found


def test_nothing_outside_index_uses_whoosh():
    modules = sorted((REPO / "reader").rglob("*.py"))
    assert len(modules) > 50  # the walk found the package
    found = [
        f"{path.relative_to(REPO)} {use}" for path in modules for use in _whoosh_uses(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_whoosh_check_sees_imports_and_the_raw_index():
    source = (
        "import whoosh.query\nfrom whoosh import index\nimport whooshy\n"
        "def f(ix):\n    from index.search import search\n    return ix.whoosh().searcher()\n"
    )
    assert _whoosh_uses(source) == [
        "line 1 imports whoosh.query",
        "line 2 imports whoosh",
        "line 6 calls .whoosh()",
    ]


def test_the_walk_finds_the_modules_of_each_layer():
    """A walk that found nothing would make its layer's test pass vacuously."""
    assert {"index.corpus", "index.indexer", "index.decoding", "index.structure"} <= set(LAYERS["index"])
    assert "reader.cli" in LAYERS["cli"] and len(LAYERS["cli"]) > 5
    assert {"reader.export.markdown", "reader.export.qdpx"} <= set(LAYERS["exchange"])
    assert {"reader.analytics.kwic", "reader.analytics.frequencies"} <= set(LAYERS["analytics"])


def test_the_check_itself_can_fail():
    """Guard against a vacuous test: a module that loads rich is named."""
    result = _imports_ui(["json", "rich.text"])
    assert result.returncode == 1 and "rich.text imports rich" in result.stdout


# Loaded on first use, not when the app starts (bench_pdf_open.py: the app's imports are a
# third of the time before a new folder's first hit): side by side, import and export dialogs,
# and the package metadata behind `reader.__version__`.
NOT_AT_START = (
    "reader.screens.compare",
    "reader.align",
    "reader.importer",
    "reader.dialogs.export",
    "reader.dialogs.export_preview",
    "reader.dialogs.importing",
    "reader.export",
    "importlib.metadata",
)


def test_the_app_starts_without_the_modules_it_loads_on_first_use():
    code = f"import sys, reader.app\nprint(sorted(set({NOT_AT_START!r}) & set(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    import reader

    assert reader.__version__ and "." in reader.__version__  # still there when asked for
