"""How tags, quotes and notes are shown everywhere: colour swatches, hierarchical names, one-line
quotes. Everything passes through `safe_text.sanitize` and becomes `Content` (never markup)."""

from __future__ import annotations

from textual.content import Content

from reader.safe_text import sanitize
from reader.wording import one_line, plural

__all__ = ["plural", "swatch", "tag_label", "one_line"]

SWATCH = "■"


def swatch(color: str) -> Content:
    """A coloured square for a tag colour ('#rrggbb')."""
    return Content(SWATCH).stylize(color or "$text-muted")


def tag_label(name: str, color: str, count: int | None = None) -> Content:
    """`■ parent/leaf  count`: the parent path dimmed, the leaf in bold."""
    parent, _, leaf = sanitize(name).rpartition("/")
    parts = [swatch(color), Content(" ")]
    if parent:
        parts.append(Content(parent + "/").stylize("dim"))
    parts.append(Content(leaf).stylize("bold"))
    if count is not None:
        parts.append(Content(f"  {count}").stylize("dim"))
    return Content.assemble(*parts)
