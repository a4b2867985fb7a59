"""Who you code as, in the app: shown in the status bar, switched from the command palette.

`D` (or "Settle differences" in the palette) opens the worklist, reader/screens/settle.py;
`X` (or "Resolve merge conflicts") the conflicts a git merge left, reader/screens/conflicts.py.
"Code as…" in the palette opens `CoderDialog` (reader/dialogs/coder.py): a name (the current
one filled in) and whether to save it in config.toml. The switch changes the creator the store
stamps on new annotations for the rest of the session (`Library.code_as`); saving writes
`coder = "NAME"` into config.toml, the third place of the rule in reader/coders.py, so the next
session and the command line code as that name too (unless `--coder` or READER_CODER say otherwise).

"Show coding of…" picks whose annotations the app shows (`Library.showing`, read through
reader/coder_view.py): everyone's, only mine (blind coding: the others' annotations and counts
are hidden in the reader, the panel, the document list, the views, the tag walk, the counts,
the recent tags and the exports; the worklist, which shows every coder's work, does not open),
or one coder's.

`CoderPart` is a base of MainScreen, which provides `library` and `_update_status`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen

from reader.coders import CoderError
from reader.dialogs.coder import CoderChoice, CoderDialog
from reader.dialogs.prompts import ChoiceDialog
from reader.safe_text import sanitize
from reader.services import MINE

if TYPE_CHECKING:
    from reader.services import Library  # noqa: F811


class CoderPart(Screen):
    """The "Code as…" command, the status bar's coder, and `D`: the worklist of differences."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("D", "settle", "Differences", key_display="D", show=False, id="reader.settle.open"),
        Binding("X", "conflicts", "Conflicts", key_display="X", id="reader.conflicts.open"),
    ]

    library: Library

    def action_settle(self) -> None:
        """`D` or palette "Settle differences": the worklist (reader/screens/settle.py)."""
        from reader.screens.settle import SettleScreen

        if self.library.showing == MINE:
            self.notify(
                "Blind coding: the worklist shows every coder's work. Show everyone's "
                "coding first (palette: Show coding of…).",
                severity="warning",
            )
            return

        self.app.push_screen(SettleScreen(self.library))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`X` is in the footer (and works) only while the project has merge conflicts."""
        if action == "conflicts":
            return bool(getattr(self, "conflicts_listed", 0))
        return True

    def action_conflicts(self) -> None:
        """`X` or palette "Resolve merge conflicts": every conflict a git merge left, and its
        versions to keep (reader/screens/conflicts.py)."""
        from reader.screens.conflicts import ConflictsScreen

        if self.library.showing == MINE:
            self.notify(
                "Blind coding: a conflict shows every coder's version. Show everyone's "
                "coding first (palette: Show coding of…).",
                severity="warning",
            )
            return
        self.app.push_screen(ConflictsScreen(self.library))

    def coder_status(self) -> Content:
        text = f"coding as {self.library.coder or 'nobody'}"
        showing = self.library.showing
        if showing == MINE:
            text += " · showing only mine"
        elif showing is not None:
            text += f" · showing {showing}'s coding"
        opened = getattr(self, "opened", None)
        if opened is not None and opened.marks:  # the legend of the reader's margin
            text += " · " + ", ".join(f"{mark} {coder}" for coder, mark in opened.marks.items())
        return Content(sanitize(text))

    def action_show_coders(self) -> None:
        """Palette "Show coding of…": everyone's, only mine (blind coding), or one coder's."""
        answers = [
            ("all", "Everyone's coding"),
            ("mine", f"Only mine ({self.library.coder}): blind coding, others hidden"),
        ]
        answers += [(f"coder:{name}", f"Only {name}'s coding") for name in self.library.coders()]
        self.app.push_screen(
            ChoiceDialog(
                "Show coding of",
                "Whose annotations and counts the app shows:",
                [(key, sanitize(label)) for key, label in answers],
            ),
            self._showing_chosen,
        )

    def _showing_chosen(self, key: str | None) -> None:
        if key is None:
            return
        self.library.showing = None if key == "all" else MINE if key == "mine" else key.removeprefix("coder:")
        self.annotations_changed()  # type: ignore[attr-defined]

    def action_switch_coder(self) -> None:
        """Palette "Code as…": switch the coder of this session (and save it, if asked)."""
        self.app.push_screen(CoderDialog(self.library.coder), self._coder_chosen)

    def _coder_chosen(self, choice: CoderChoice | None) -> None:
        if choice is None:
            return
        try:
            saved = self.library.code_as(choice.name, save=choice.save)
        except CoderError as error:
            self.notify(sanitize(f"Cannot switch coder: {error}"), severity="error", markup=False, timeout=10)
            return
        where = f" (saved in {saved})" if saved else " (this session)"
        self.notify(sanitize(f"Coding as {choice.name}{where}."), markup=False)
        self._update_status()  # type: ignore[attr-defined]
