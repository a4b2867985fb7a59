"""The keys: every binding that works where the user is, on one scrollable page.

F1 (from any focus, even a text box) or `?` (where `?` is not typed into a box) opens it over the
current screen, without changing that screen's layout. It lists every active binding of the
screen below, the hidden ones included (Textual's own key panel showed only part of them and
took a third of the width), grouped by where they come from: the focused part first, then its
containers, the screen, and the keys that work everywhere. Keys bound to one action are joined
(`j, ↓`); a run of numbered bindings such as "Recent tag 1" ... "Recent tag 9" is one row
(`1-9`); a text box's editing keys come last. j/k, arrows, PageUp/PageDown, g/G scroll it; Esc, q, ? or F1 close it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from reader.safe_text import sanitize

NUMBERED = re.compile(r"^(?P<what>.*?)\s*(?P<n>\d)$")
"""A description ending in a digit: one of a numbered run ("Recent tag 3")."""


@dataclass(frozen=True)
class KeyRow:
    keys: str
    what: str


@dataclass(frozen=True)
class KeyGroup:
    title: str
    rows: tuple[KeyRow, ...]


TITLES = {"DocumentView": "The reader", "MainScreen": "Main screen", "SearchBox": "Search box"}
"""Group titles for the parts whose class names read badly; others are their class in words."""


def _group_title(node: DOMNode) -> str:
    if node is node.app:
        return "Everywhere"
    name = type(node).__name__
    if name in TITLES:
        return TITLES[name]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize()


def declared_bindings(node: DOMNode, keymap: dict[str, str]) -> list[Binding]:
    """The bindings `node`'s classes declare, one per key, a subclass's replacing its base's
    for the same key (as Textual merges them), with the keys of the user's keymap (binding id
    -> "k1,k2") where it remaps one."""
    by_key: dict[str, Binding] = {}
    for cls in reversed(type(node).__mro__):
        if "BINDINGS" in cls.__dict__:
            if not getattr(cls, "inherit_bindings", True):
                by_key = {}
            for binding in Binding.make_bindings(cls.__dict__["BINDINGS"]):
                by_key.pop(binding.key, None)  # re-inserted: the subclass's order
                by_key[binding.key] = binding
    result: list[Binding] = []
    remapped: set[str] = set()
    for binding in by_key.values():
        keys = keymap.get(binding.id) if binding.id else None
        if keys is None:
            result.append(binding)
        elif binding.id not in remapped:
            remapped.add(binding.id)  # type: ignore[arg-type]
            result.extend(replace(binding, key=key.strip(), key_display=None) for key in keys.split(",") if key.strip())
    return result


def key_groups(screen: Screen, keymap: dict[str, str] | None = None) -> list[KeyGroup]:
    """Every key of `screen` where the user is: the focused widget's, its containers', the
    screen's and the app's, whatever the focus (in a text box the letter keys are text, and
    the screen's group says how to reach them)."""
    app = screen.app
    keymap = keymap or {}
    focused = screen.focused
    nodes: list[DOMNode] = []
    node: DOMNode | None = focused
    while node is not None and node is not screen:
        nodes.append(node)
        node = node.parent
    nodes.extend([screen, app])
    readers = [view for view in screen.query("DocumentView") if view not in nodes]
    if readers and not any(type(n).__name__ == "DocumentView" for n in nodes):
        nodes.insert(nodes.index(screen) + 1, readers[0])  # its keys once it has the focus
    seen_keys: set[str] = set()  # a key bound nearer the focus hides the same key further out
    groups: list[KeyGroup] = []
    for node in nodes:
        actions: dict[str, list[str]] = {}
        descriptions: dict[str, str] = {}
        for binding in declared_bindings(node, keymap):
            if binding.system or binding.action in ("toggle_help", "help_quit") or binding.key in seen_keys:
                continue
            seen_keys.add(binding.key)
            display = app.get_key_display(binding)
            actions.setdefault(binding.action, []).append(display)
            descriptions[binding.action] = binding.description or binding.action
        if not actions:
            continue
        rows: list[KeyRow] = []
        numbered: dict[str, list[str]] = {}
        for action, keys in actions.items():
            what = descriptions[action]
            match = NUMBERED.match(what)
            if match and len(keys) == 1 and keys[0] == match["n"]:
                numbered.setdefault(match["what"], []).append(keys[0])
                continue
            rows.append(KeyRow(", ".join(dict.fromkeys(keys)), what))
        for what, digits in numbered.items():
            digits.sort()
            shown = digits[0] if len(digits) == 1 else f"{digits[0]}-{digits[-1]}"
            rows.append(KeyRow(shown, f"{what} (1 = the most recent)" if "ecent" in what else what))
        title = _group_title(node)
        if node in readers:
            title += " (once it has the focus)"
        if node is screen and isinstance(focused, Input):
            title += " (Esc leaves the text box first)"
        groups.append(KeyGroup(title, tuple(rows)))
    groups.append(KeyGroup("Help", (KeyRow("F1, ?", "these keys (Esc closes them)"),)))
    # a text box's editing keys are known to everyone: after the keys of the screen
    return sorted(groups, key=lambda group: group.title in (TITLES["SearchBox"], "Input"))


def render_groups(groups: list[KeyGroup]) -> Content:
    width = max((len(row.keys) for group in groups for row in group.rows), default=4)
    width = min(width, 18)
    lines: list[Content] = []
    for group in groups:
        if lines:
            lines.append(Content(""))
        lines.append(Content(sanitize(group.title)).stylize("bold $text-accent"))
        for row in group.rows:
            lines.append(
                Content.assemble(
                    Content(sanitize(row.keys).ljust(width)).stylize("bold"), "  ", Content(sanitize(row.what))
                )
            )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below (module docstring)."""

    DEFAULT_CSS = """
    HelpScreen {
        align: right top;
        background: $background 40%;
    }
    HelpScreen > VerticalScroll {
        width: 64;
        max-width: 100%;
        height: 100%;
        border: tall $accent;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="reader.help.close"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="reader.help.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="reader.help.up"),
        Binding("pagedown,space,ctrl+f", "scroll('page_down')", "Page down", show=False, id="reader.help.page_down"),
        Binding("pageup,ctrl+b", "scroll('page_up')", "Page up", show=False, id="reader.help.page_up"),
        Binding("g,home", "scroll('home')", "Top", show=False, id="reader.help.top"),
        Binding("G,end", "scroll('end')", "Bottom", show=False, id="reader.help.bottom"),
    ]

    def __init__(self, groups: list[KeyGroup]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll") as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "j/k PgUp/PgDn scroll · Esc closes"
            scroll.can_focus = True
            yield Static(render_groups(self.groups), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        {
            "down": scroll.scroll_down,
            "up": scroll.scroll_up,
            "page_down": scroll.scroll_page_down,
            "page_up": scroll.scroll_page_up,
            "home": scroll.scroll_home,
            "end": scroll.scroll_end,
        }[where](animate=False)
