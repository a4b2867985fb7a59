"""Check boxes and radio buttons that read the same without colour.

Textual draws a ticked and an unticked box alike (`▐X▌`), telling them apart by colour only: with
NO_COLOR, or a theme with little contrast, they were grey on grey. These draw the mark only when
the box is ticked (`▐X▌` / `▐ ▌`, `▐●▌` / `▐ ▌`).
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

TICK = "X"
DOT = "●"


class CheckList(SelectionList[str]):
    """A SelectionList whose boxes are empty when not ticked."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 2 or segments[1].text != TICK:  # Textual draws TICK for both
            return strip
        mark = TICK if selection.value in self.selected else " "
        segments[1] = Segment(mark, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)


class Radio(RadioButton):
    """A RadioButton whose dot shows only when it is the one chosen."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 (Textual's name)
        return DOT if self.value else " "
