"""The export and import dialogs (issue 7), driven by the pilot in a tiny host app on tmp copies
of the seeds with a fixed annotation set (tests/test_export.py's); plus a snapshot of the export
dialog. Accept snapshot changes with --snapshot-update after looking at them, on the pinned
Textual only."""

from __future__ import annotations

import zipfile

import pytest
from textual.app import App
from textual.widgets import Button, Input, Select, SelectionList, Static

from index.corpus import Corpus
from reader.export import ExportResult, Filters, count, export
from reader.importer import ImportReport
from reader.paths import Paths
from reader.dialogs.export import ExportDialog
from reader.dialogs.importing import ImportDialog
from reader.store import AnnotationStore, NewAnnotation

from test_export import D0, FIXED, make_env
from waiting import settle


TODAY = "2024-08-01"


class Host(App):
    """Pushes one dialog and records what it dismisses with and the notices shown."""

    def __init__(self, dialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.results: list = []
        self.notices: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)

    def notify(self, message, *args, **kwargs) -> None:
        self.notices.append(str(message))
        super().notify(message, *args, **kwargs)


@pytest.fixture()
def env(tmp_path, monkeypatch):
    """(paths, store, corpus): the seeds in tmp_path with FIXED's six annotations; the working
    directory is tmp_path and the date in default file names is fixed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("reader.dialogs.export.today", lambda: TODAY)
    return make_env(tmp_path, monkeypatch)


def export_dialog(paths: Paths, store: AnnotationStore, corpus: Corpus, **kwargs) -> ExportDialog:
    docs = [(doc, corpus.load(doc).meta.title) for doc in store.documents()]
    return ExportDialog(paths, tags=store.tags(), docs=docs, **kwargs)


def preview(app: App) -> str:
    return str(app.screen.query_one("#export-preview", Static).render())


def error(app: App) -> str:
    line = app.screen.query_one("#export-error", Static)
    return str(line.render()) if line.display else ""


async def set_output(pilot, value: str) -> None:
    box = pilot.app.screen.query_one("#export-output", Input)
    box.value = value
    await pilot.pause()


# --- export -------------------------------------------------------------------------------------


async def test_preview_counts_what_the_filters_select(env):
    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert preview(app).startswith("6 annotations will be exported: the whole store")
        tags = app.screen.query_one("#export-tags", SelectionList)
        tags.focus()
        tags.highlighted = [o.value for o in tags._options].index("actor/Nujaba")
        await pilot.press("space")
        await settle(pilot)
        assert tags.selected == ["actor/Nujaba"]
        assert preview(app).startswith("3 of 6 annotations will be exported (tag actor/Nujaba)")
        # the parent tag selects the tags below it
        await pilot.press("space")  # off again
        tags.highlighted = [o.value for o in tags._options].index("actor")
        await pilot.press("space")
        await settle(pilot)
        assert preview(app).startswith("4 of 6 annotations will be exported (tag actor)")
        # a document filter combines with it (AND)
        docs = app.screen.query_one("#export-docs", SelectionList)
        docs.select(D0)
        await settle(pilot)
        assert preview(app).startswith("2 of 6 annotations will be exported")


async def test_preview_with_a_query_and_an_invalid_query(env):
    paths, store, corpus = env
    expected = count(Filters(query="hours"), paths=paths)
    assert 0 < expected < 6
    app = Host(export_dialog(paths, store, corpus, query="hours"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert preview(app).startswith(f"{expected:,} of 6 annotations will be exported (query 'hours')")
        app.screen.query_one("#export-query", Input).value = 'title:"unclosed'
        await settle(pilot)
        assert "invalid query" in preview(app) and "Query field" in preview(app)


async def test_export_markdown_writes_the_file_and_dismisses(env, tmp_path):
    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#export-output", Input).value == f"reader-export-{TODAY}.md"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
    out = tmp_path / f"reader-export-{TODAY}.md"
    text = out.read_text(encoding="utf-8")
    assert "Al-Nujaba Movement threatens" in text and "“procrastination and delay”" in text
    [result] = app.results
    assert isinstance(result, ExportResult) and result.count == 6 and result.path == out
    assert app.notices == [f"Wrote 6 annotations to {out}"]


async def test_export_qdpx_to_a_path_by_keyboard(env, tmp_path):
    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen.focused, Select)
        await pilot.press("enter", *["down"] * 5, "enter")  # the last format: REFI-QDA
        await pilot.pause()
        assert app.screen.query_one("#export-format", Select).value == "qdpx"
        # the default file follows the format; group-by only shows for md and html
        assert app.screen.query_one("#export-output", Input).value == f"reader-export-{TODAY}.qdpx"
        assert not app.screen.query_one("#export-by-row").display
        await set_output(pilot, str(tmp_path / "project.qdpx"))
        await pilot.click("#export-run")
        await settle(pilot)
    [result] = app.results
    assert result.format == "qdpx" and result.count == 6
    with zipfile.ZipFile(tmp_path / "project.qdpx") as zf:
        assert "project.qde" in zf.namelist()


async def test_unwritable_path_is_shown_and_the_dialog_stays(env, tmp_path):
    paths, store, corpus = env
    (tmp_path / "a-folder").mkdir()
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await set_output(pilot, str(tmp_path / "missing" / "out.md"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        assert "folder" in error(app) and "does not exist" in error(app)
        await set_output(pilot, str(tmp_path / "a-folder"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog) and "it is a folder" in error(app)
        assert not app.screen.query_one("#export-run", Button).disabled  # can try again
        await set_output(pilot, "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Give a file" in error(app)
    assert app.results == [] and app.notices == []


async def test_an_existing_file_is_replaced_only_on_a_second_press(env, tmp_path):
    paths, store, corpus = env
    out = tmp_path / "old.csv"
    out.write_text("keep me", encoding="utf-8")
    app = Host(export_dialog(paths, store, corpus, fmt="csv"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await set_output(pilot, str(out))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "exists" in error(app) and out.read_text(encoding="utf-8") == "keep me"
        assert str(app.screen.query_one("#export-run", Button).label) == "Replace"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert "Al-Nujaba Movement threatens" in out.read_text(encoding="utf-8")
    assert app.results[0].count == 6


async def test_escape_cancels_the_export(env, tmp_path):
    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
    assert list(tmp_path.glob("reader-export-*")) == []


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_export_dialog_snapshot(snap_compare, env, size):
    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus, query="Nujaba", doc=D0))

    async def run_before(pilot) -> None:
        await settle(pilot)
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_at_80x24_everything_stays_in_view(env):
    """A short terminal: the fields go compact, the lists keep several rows, and the count,
    the file and the buttons are all on screen."""
    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-small")
        assert all(w.compact for w in screen.query(Button))
        visible = screen.region
        for selector in ("#export-run", "#export-cancel", "#export-output", "#export-preview"):
            region = screen.query_one(selector).region
            assert region.height > 0 and visible.contains_region(region), selector
        tags = screen.query_one("#export-tags", SelectionList)
        assert tags.content_region.height >= 4
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert not screen.has_class("-small")
        assert not any(w.compact for w in screen.query(Button))


# --- import -------------------------------------------------------------------------------------


@pytest.fixture()
def w3c_file(env, tmp_path):
    """FIXED exported as W3C JSON-LD, and a second, empty store on the same corpus."""
    paths, store, _corpus = env
    out = tmp_path / "export.jsonld"
    export("w3c", Filters(), paths=paths, store=store, output=out)
    empty = Paths(paths.corpus, tmp_path / "other-annotations", paths.index)
    return out, empty


async def type_path(pilot, value: str) -> None:
    box = pilot.app.screen.query_one("#import-path", Input)
    box.value = value
    await pilot.pause()


async def test_import_a_w3c_export_into_an_empty_store(env, w3c_file):
    out, empty = w3c_file
    app = Host(ImportDialog(empty))
    async with app.run_test(size=(120, 40)) as pilot:
        await type_path(pilot, str(out))
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ImportDialog)
    [report] = app.results
    assert isinstance(report, ImportReport) and report.added == 6
    imported = AnnotationStore(empty.annotations).annotations()
    assert sorted(a.quote.exact for a in imported) == sorted(f[1] for f in FIXED)
    assert app.notices and app.notices[0].startswith("6 added, 0 already present")


async def test_import_errors_stay_in_the_dialog(env, tmp_path):
    paths, store, _corpus = env
    bad = tmp_path / "bad.jsonld"
    bad.write_text("{not json", encoding="utf-8")
    app = Host(ImportDialog(paths, store=store))
    async with app.run_test(size=(120, 40)) as pilot:
        for value in (str(tmp_path / "nowhere.qdpx"), str(bad)):
            await type_path(pilot, value)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ImportDialog)
        status = str(app.screen.query_one("#import-status", Static).render())
        assert "not readable JSON" in status
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


def conflicting_store(paths: Paths, corpus: Corpus) -> AnnotationStore:
    """A store whose only annotation tags one of FIXED's passages with another tag."""
    store = AnnotationStore(paths.annotations)
    doc = corpus.load(D0)
    quote = "Al-Nujaba Movement threatens"
    start = doc.text.index(quote)
    store.add_many([NewAnnotation(D0, doc.text, doc.sha256, start, start + len(quote), ("other",), "")])
    return store


@pytest.mark.parametrize("answer, added, total", [("#import-skip", 5, 6), ("#import-add", 6, 7)])
async def test_conflicts_ask_first(env, w3c_file, answer, added, total):
    _paths, _store, corpus = env
    out, other = w3c_file
    store = conflicting_store(other, corpus)
    app = Host(ImportDialog(other, store=store, path=str(out)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        assert dialog.query_one("#import-report").display
        lines = str(dialog.query_one("#import-report-lines", Static).render())
        assert "1 conflict(s); nothing imported" in lines and "other" in lines
        assert dialog.query_one("#import-skip").display and not dialog.query_one("#import-run").display
        assert len(store.annotations()) == 1  # nothing written yet
        await pilot.click(answer)
        await settle(pilot)
    [report] = app.results
    assert report.applied and report.added == added
    assert len(store.annotations()) == total


async def test_conflicts_cancel_writes_nothing(env, w3c_file):
    _paths, _store, corpus = env
    out, other = w3c_file
    store = conflicting_store(other, corpus)
    app = Host(ImportDialog(other, store=store, path=str(out)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#import-skip").display
        await pilot.click("#import-cancel")
        await pilot.pause()
    assert app.results == [None]
    assert len(AnnotationStore(other.annotations).annotations()) == 1


def test_import_dialog_conflicts_snapshot(snap_compare, env, w3c_file):
    _paths, _store, corpus = env
    out, other = w3c_file
    store = conflicting_store(other, corpus)
    app = Host(ImportDialog(other, store=store, path=out.name))  # relative: the cwd is tmp_path

    async def run_before(pilot) -> None:
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#import-path", Input).cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


# --- issue 14: the whole store, filters that say what they do, a memory, small terminals ------


async def test_small_terminal_60x20_keeps_rows_for_the_tags(env):
    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        screen = app.screen
        tags = screen.query_one("#export-tags", SelectionList)
        assert tags.content_region.height >= 3, tags.content_region
        visible = screen.region
        for selector in ("#export-run", "#export-output", "#export-preview", "#export-query"):
            region = screen.query_one(selector).region
            assert region.height > 0 and visible.contains_region(region), selector


async def test_ticked_and_unticked_boxes_look_different(env):
    """Without colour a box still says whether it is ticked: `▐X▌` against `▐ ▌`."""
    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tags = app.screen.query_one("#export-tags", SelectionList)
        tags.select("actor")
        await settle(pilot)
        names = [o.value for o in tags._options]
        ticked = tags.render_line(names.index("actor")).text
        unticked = tags.render_line(names.index("actor/Nujaba")).text
        assert ticked.startswith("▐X▌") and unticked.startswith("▐ ▌")
        by_tag = app.screen.query_one("#export-by-tag").render()
        by_doc = app.screen.query_one("#export-by-doc").render()
        assert "●" in str(by_tag) and "●" not in str(by_doc)


async def test_the_dialog_keeps_the_last_choice_per_corpus(env, tmp_path):
    """Format, grouping, ticked tags and the file come back on the next visit (this corpus
    only); the memory is in the user's data folder, not in the annotations."""
    from reader.dialog_state import state_file

    paths, store, corpus = env
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#export-format", Select).value = "csv"
        screen.query_one("#export-tags", SelectionList).select("actor")
        await settle(pilot)
        await set_output(pilot, "out/kept.csv")
        await pilot.press("escape")
        await pilot.pause()
    assert state_file().is_file() and not list(paths.annotations.rglob("*export-dialog*"))
    again = Host(export_dialog(paths, store, corpus))
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = again.screen
        assert screen.format == "csv"
        assert screen.query_one("#export-tags", SelectionList).selected == ["actor"]
        assert screen.query_one("#export-output", Input).value == "out/kept.csv"
        assert preview(again).startswith("4 of 6 annotations will be exported (tag actor)")
    other = Paths(tmp_path / "elsewhere", paths.annotations, paths.index)
    fresh = Host(ExportDialog(other, tags=store.tags()))
    async with fresh.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert fresh.screen.format == "md"
        assert fresh.screen.query_one("#export-tags", SelectionList).selected == []


async def test_a_bad_memory_file_is_no_memory(env):
    from reader.dialog_state import state_file

    paths, store, corpus = env
    state_file().parent.mkdir(parents=True, exist_ok=True)
    state_file().write_text("{not json", encoding="utf-8")
    app = Host(export_dialog(paths, store, corpus))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.format == "md"
        assert preview(app).startswith("6 annotations will be exported: the whole store")
