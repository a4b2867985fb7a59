"""The Textual app: wiring only. Screens live in reader/screens, widgets in reader/widgets.

`create_app(paths)` builds the app for a corpus, its annotations and its index; tests pass
tmp_path folders and never touch a user's files. The user's key remapping is read from
`keymap.toml` in the per-user config folder (READER_CONFIG_DIR overrides it) and applied with
`App.set_keymap`; a bad file is reported in a notification, never fatal.

Undo and redo (`u`, ctrl+r) are the app's: they work on every screen, run in a thread worker (an
undone rename may rewrite many files) and say what was undone.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import events, work
from textual.app import App, ScreenStackError
from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from reader.config import Keymap, default_keymap_path, load_keymap
from reader.key_order import KeyOrder
from reader.live_updates import LiveUpdates
from reader.paths import Paths
from reader.safe_text import sanitize
from reader.screens.help import HelpScreen, key_groups
from reader.screens.main import MainScreen
from reader.services import Library
from reader.store import StoreError
from reader.store.postgres.offline import with_waiting
from reader.worker_log import LoggingWorkerManager


def reader_commands():
    """The palette's provider, imported when the palette first opens (start-up time)."""
    from reader.commands import ReaderCommands

    return ReaderCommands


def known_binding_ids(load_all: bool = False) -> set[str]:
    """The id of every binding declared by any loaded app, screen or widget class (with
    `load_all`, after importing every screen and widget module: the views are imported when
    first opened, so their ids are unknown until then)."""
    if load_all:
        import importlib
        import pkgutil

        import reader.screens
        import reader.widgets

        for package in (reader.screens, reader.widgets):
            for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
                importlib.import_module(module.name)
    ids: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


class ReaderApp(App):
    """A keyboard-driven reader and annotator for a corpus of text files."""

    TITLE = "reader"
    COMMANDS = App.COMMANDS | {reader_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "toggle_help", "Keys", key_display="?", id="reader.help"),
        Binding("f1", "toggle_help", "Help", priority=True, id="reader.help.f1"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="reader.quit"),
        Binding("u", "undo", "Undo", id="reader.undo"),
        Binding("ctrl+r", "redo", "Redo", id="reader.redo"),
    ]

    def __init__(self, library: Library, keymap: Keymap | None = None) -> None:
        super().__init__()
        self._workers = LoggingWorkerManager(self)  # every worker failure logged (worker_log.py)
        self.library = library
        self.keymap = keymap or Keymap()
        self.main_screen = MainScreen(library)
        self.live = LiveUpdates(self)  # other coders' changes on a shared store (live_updates.py)
        self._annotations_read = False
        self.key_order = KeyOrder(self, self._handle_key)

    async def on_event(self, event: events.Event) -> None:
        """Keys from the terminal are handled one at a time (reader/key_order.py): a key
        typed ahead of a dialog reaches the dialog, not the widget it was typed over."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.key_order.admit(event):
                await self._handle_key(event)
            return
        await super().on_event(event)

    async def _handle_key(self, event: events.Key) -> None:
        try:
            screen = self.screen
            target = self.focused or screen
        except ScreenStackError:  # no screen yet (the first frame): Textual's own path decides
            screen = target = None
        await super().on_event(event)
        self.key_order.handed(target if target is not None else self, screen)

    def on_mount(self) -> None:
        # Pushed rather than returned by get_default_screen: Textual 8.2.8 does not load the
        # CSS_PATH of a default screen.
        self.push_screen(self.main_screen)
        keymap = self.keymap
        if keymap.keys:
            self.set_keymap(keymap.keys)
            unknown = set(keymap.keys) - known_binding_ids()
            if unknown:  # perhaps a view's, not imported yet
                unknown -= known_binding_ids(load_all=True)
            if unknown:
                keymap.problems.append(f"{keymap.path}: unknown binding id(s): {', '.join(sorted(unknown))}")
        for problem in keymap.problems:
            self.notify(problem, title="Keymap", severity="error", markup=False, timeout=15)
        self.live.start()

    def start_up_done(self) -> None:
        """The main screen's start-up (first frame, list, index check) is over: now read the
        annotation files it did not need. Started earlier, their parsing (seconds at 100,000
        annotations) held the GIL against the first frame and the list."""
        if not self._annotations_read:
            self._annotations_read = True
            self.read_annotations()

    @work(thread=True, exit_on_error=False, group="annotations")
    def read_annotations(self) -> None:
        """Read the annotation files the first screen did not need (the store reads a file
        when asked for it; this reads the rest ahead of the views that want them all), then
        say which ones cannot be used."""
        self.library.store.load_all()
        for problem in self.library.store.problems:
            self.call_from_thread(
                self.notify, str(problem), title="Annotations", severity="warning", markup=False, timeout=15
            )

    def on_unmount(self) -> None:
        self.live.stop()
        self.library.close()

    def action_toggle_help(self) -> None:
        """F1 (anywhere) or `?`: every key of the screen, the focused part's first; again to
        close (reader/screens/help.py)."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(key_groups(self.screen, self.keymap.keys)))

    def action_undo(self) -> None:
        """`u`: undo the last change to the annotations or the codebook."""
        self.replay("undo")

    def action_redo(self) -> None:
        """ctrl+r: redo what was undone."""
        self.replay("redo")

    @work(thread=True, exit_on_error=False, group="undo")
    def replay(self, which: str) -> None:
        try:
            description = self.library.undo() if which == "undo" else self.library.redo()
        except StoreError as error:
            self.call_from_thread(
                self.notify, sanitize(f"Cannot {which}: {error}"), severity="error", markup=False, timeout=10
            )
            return
        self.call_from_thread(self._replayed, which, description)

    def _replayed(self, which: str, description: str | None) -> None:
        if description is None:
            self.notify(f"Nothing to {which}.", severity="warning")
            return
        done = "Undone" if which == "undo" else "Redone"
        self.notify(with_waiting(sanitize(f"{done}: {description}"), self.library.store), markup=False)
        self.refresh_annotations()

    def refresh_annotations(self) -> None:
        """The annotations changed (an undo here, a coder elsewhere): every screen redraws them."""
        for screen in self.screen_stack:
            refresh = getattr(screen, "annotations_changed", None)
            if refresh is not None:
                refresh()


def create_app(paths: Paths, *, keymap_path: Path | None = None) -> ReaderApp:
    """The app on `paths`, with the user's keymap (`keymap_path`, default the config folder's)."""
    keymap = load_keymap(keymap_path if keymap_path is not None else default_keymap_path())
    return ReaderApp(Library(paths), keymap)
