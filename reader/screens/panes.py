"""Which parts of the main screen are shown, and a focus that never lands where it cannot be seen.

`PanesPart` is the base of the main screen's classes (SearchPart, then MainScreen). It owns one
rule: the sidebar (search box, hits, documents) and the annotation panel share the room beside
the reader. When the terminal is narrow (the screen's `-narrow` breakpoint class, under 100
columns) they take turns: showing one hides the other, so the reader always keeps about 48
columns to wrap its text in; when wide both fit. f2 hides or shows the sidebar.

A key that needs a hidden part shows it first (`/` and ctrl+t reveal the sidebar before they
focus the search box), and whenever the screen comes back (Esc from side by side or a view),
changes its layout or its size, a focus left on a hidden widget moves to the reader (or to the
first part that can be seen): typing then never changes what the user cannot see.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widget import Widget


class PanesPart(Screen):
    """The sidebar / annotation panel rule and the visible-focus guard (module docstring)."""

    _sidebar_hidden = False
    """f2 hid the sidebar (the user's choice, kept until f2 or a key that needs it)."""

    # ------------------------------------------------------------------ parts

    @property
    def _sidebar(self) -> Widget:
        return self.query_one("#sidebar")

    @property
    def _panel(self) -> Widget:
        return self.query_one("#annotations")

    @property
    def _narrow(self) -> bool:
        return self.has_class("-narrow")

    def sidebar_shown(self) -> bool:
        return bool(self._sidebar.display)

    def panel_shown(self) -> bool:
        return bool(self._panel.display)

    def arrange_panes(self) -> None:
        """Show the sidebar unless f2 hid it or (when narrow) the panel has its place; then
        move a focus that became hidden."""
        panel = self.panel_shown()
        self.set_class(panel, "-annotations")
        self._sidebar.display = not self._sidebar_hidden and not (self._narrow and panel)
        self.call_after_refresh(self.keep_focus_visible)

    def reveal_sidebar(self) -> None:
        """Show the sidebar (a key needs it): undo f2, and when narrow close the panel."""
        self._sidebar_hidden = False
        if self._narrow and self.panel_shown():
            self._panel.display = False
        self.arrange_panes()

    def show_panel(self, show: bool) -> None:
        """Show or hide the annotation panel (when narrow it takes the sidebar's place)."""
        self._panel.display = show
        self.arrange_panes()

    def action_toggle_sidebar(self) -> None:
        """f2: hide the sidebar, or show it again (when narrow, in the panel's place)."""
        if self.sidebar_shown():
            self._sidebar_hidden = True
            self.arrange_panes()
        else:
            self.reveal_sidebar()

    # ------------------------------------------------------------------ focus

    def focus_search_box(self) -> None:
        """Focus the search box, showing the sidebar first when it is hidden.

        The focus moves now, not as `Widget.focus()` moves it (a callback queued behind the
        keys already waiting): typed fast after `/`, the next keys would reach the reader as
        commands (`u` undoes, `c` opens the codebook) and the word would be lost."""
        if not self.sidebar_shown():
            self.reveal_sidebar()
        self.set_focus(self.query_one("#search"))

    def visible_focus_target(self) -> Widget | None:
        """Where focus goes when it is on something hidden: the reader when a document is
        open, else the first part that can be seen."""
        view = self.query_one("#document")
        if getattr(self, "opened", None) is not None and view in self.focus_chain:
            return view
        return self.focus_chain[0] if self.focus_chain else None

    def keep_focus_visible(self) -> None:
        focused = self.focused
        if focused is not None and focused in self.focus_chain:
            return
        target = self.visible_focus_target()
        if target is not None:
            target.focus()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # after Textual has restored the focus it had when the screen was covered
        self.call_after_refresh(self.keep_focus_visible)

    def on_resize(self, event: events.Resize) -> None:
        # the breakpoint classes (-narrow/-wide) follow the size: the rule may now apply
        self.call_after_refresh(self.arrange_panes)
