"""The codebook screen: every tag as a tree with colours and counts, and every passage tagged.

Left, the tags as a tree (`actor/Nujaba` under `actor`), each with its colour and how many
annotations carry it (and, for a parent, how many carry it or a descendant). Right, the selected
tag's description and every passage with it (or a descendant) across the corpus: quote,
document, note; enter on a passage closes the screen and opens the document there.

Keys: r rename, m merge into another tag, c recolour, d describe, n new tag, x delete (when
annotations carry the tag, asks whether to take it off them or delete them), escape closes.
Changes run in a thread worker (a rename can rewrite many files) and come back as a
notification; the screen then rebuilds from the store. The screen returns (doc id, annotation
id) to jump to, a `WalkStart` (`W`: walk every passage of the tag), or None.

Tag names, quotes, titles and notes are user or corpus text: rich `Text` built from plain
strings for the tree (never `Text.from_markup`), `Content` elsewhere, all through `sanitize`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.color import Color, ColorParseError
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode

from reader.model import PALETTE, Tag, normalise_color
from reader.safe_text import sanitize
from reader.dialogs.prompts import ChoiceDialog, PromptDialog
from reader.dialogs.tag import TagChoice, TagDialog
from reader.services import Library
from reader.store import StoreError, TagInUse
from reader.tag_walk import WalkStart
from reader.store.postgres.offline import with_waiting
from reader.widgets.labels import one_line, swatch
from reader.wording import plural

Jump = tuple[str, str]
"""(document id, annotation id)."""


def tag_tree_label(segment: str, tag: Tag | None, count: int, total: int) -> Text:
    """`■ segment  count (total)` as rich Text from plain strings (never markup)."""
    parts: list[tuple[str, str] | str] = []
    if tag is not None:
        parts += [("■", tag.color), " "]
    parts.append((sanitize(segment), "bold" if tag is not None else "italic"))
    numbers = f"  {count}" if total == count else f"  {count} ({total})"
    parts.append((numbers, "dim"))
    return Text.assemble(*parts)


def parse_color(value: str) -> str:
    """A tag colour typed by the user, as #rrggbb: a palette number, a colour name (`red`,
    `Dark Orange`), #rgb, #rrggbb or rgb(...). Raises ValueError saying what is accepted."""
    text = value.strip()
    if text.isdigit() and 1 <= int(text) <= len(PALETTE):
        return PALETTE[int(text) - 1]
    name = text.lower().replace(" ", "").replace("_", "")
    try:
        color = Color.parse(name) if name and not name.startswith("ansi") else None
    except ColorParseError:
        color = None
    if color is None:
        raise ValueError(
            f"“{text}” is not a colour: type a name (red, teal…), #rrggbb or a palette number 1-{len(PALETTE)}"
        )
    return normalise_color(color.hex[:7])


class CodebookScreen(Screen["Jump | WalkStart | None"]):
    """Browse and manage the tags; list and jump to tagged passages."""

    DEFAULT_CSS = """
    CodebookScreen #codebook-panes { height: 1fr; }
    CodebookScreen #codebook-tree {
        width: 45%; min-width: 28; border-right: solid $foreground 15%;
    }
    CodebookScreen #tag-details {
        height: auto; padding: 0 1; background: $panel;
    }
    CodebookScreen #passages { height: 1fr; border: none; }
    CodebookScreen #passages > .option-list--option { padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="reader.codebook.close"),
        Binding("r", "rename", "Rename", id="reader.codebook.rename"),
        Binding("m", "merge", "Merge", id="reader.codebook.merge"),
        Binding("c", "recolor", "Colour", id="reader.codebook.color"),
        Binding("d", "describe", "Describe", id="reader.codebook.describe"),
        Binding("n", "new_tag", "New tag", id="reader.codebook.new"),
        Binding("x,delete", "delete", "Delete", id="reader.codebook.delete"),
        Binding("W", "walk", "Walk passages", key_display="W", id="reader.codebook.walk"),
    ]

    def __init__(self, library: Library, titles: dict[str, str] | None = None, select: str | None = None) -> None:
        super().__init__()
        self.library = library
        self.titles = titles or {}
        self.selected_tag: str | None = select  # the main screen keeps it between visits

    def compose(self) -> ComposeResult:
        with Horizontal(id="codebook-panes"):
            tree: Tree[str] = Tree("Codebook", id="codebook-tree")
            tree.show_root = False
            yield tree
            with Vertical():
                yield Static("", id="tag-details")
                yield OptionList(id="passages")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild()
        self.query_one("#codebook-tree").focus()

    @property
    def tree(self) -> Tree[str]:  # type: ignore[override]  # DOMNode.tree: a debug dump
        return self.query_one("#codebook-tree", Tree)

    # ------------------------------------------------------------------ building

    def rebuild(self, select: str | None = None) -> None:
        """(Re)build the tree from the store, selecting `select` (else the tag selected before)."""
        tags = {tag.name: tag for tag in self.library.tags()}
        counts = self.library.tag_counts()
        names = sorted(set(tags) | set(counts))
        paths: set[str] = set()
        for name in names:
            segments = name.split("/")
            paths.update("/".join(segments[: i + 1]) for i in range(len(segments)))
        totals = {path: sum(c for n, c in counts.items() if n == path or n.startswith(path + "/")) for path in paths}
        tree = self.tree
        tree.clear()
        nodes: dict[str, TreeNode[str]] = {}
        for path in sorted(paths):
            parent_path, _, segment = path.rpartition("/")
            parent = nodes.get(parent_path, tree.root) if parent_path else tree.root
            label = tag_tree_label(segment, tags.get(path), counts.get(path, 0), totals[path])
            has_children = any(p.startswith(path + "/") for p in paths)
            node = parent.add(label, data=path, expand=True, allow_expand=has_children)
            nodes[path] = node
        tree.border_title = f"Tags ({len(names)})"
        want = select or self.selected_tag
        if want not in nodes:
            want = next(iter(nodes), None)
        self.show_tag(want)
        if want is not None:
            # a node's line is known once the tree has laid its lines out again
            self.call_after_refresh(tree.move_cursor, nodes[want])

    def show_tag(self, name: str | None) -> None:
        """Describe `name` and list every passage tagged with it or a descendant."""
        self.selected_tag = name
        details = self.query_one("#tag-details", Static)
        passages = self.query_one("#passages", OptionList)
        passages.clear_options()
        if name is None:
            details.update(Content("No tags yet: tag a passage with t in the reader.").stylize("dim"))
            return
        tag = next((t for t in self.library.tags() if t.name == name), None)
        annotations = self.library.annotations(tag=name)
        head = [
            swatch(tag.color) if tag else Content(" "),
            Content(" "),
            Content(sanitize(name)).stylize("bold"),
            Content(f"  {tag.color if tag else '(no colour: a path only)'}").stylize("dim"),
            Content(f"  · {plural(len(annotations), 'passage')}"),
        ]
        lines = [Content.assemble(*head)]
        if tag is not None and tag.description:
            lines.append(Content(sanitize(tag.description)).stylize("italic"))
        details.update(Content("\n").join(lines))
        options = []
        for annotation in annotations:
            title = self.titles.get(annotation.doc, annotation.doc)
            parts = [
                Content(f"“{one_line(annotation.quote.exact, 100)}”"),
                Content.assemble(
                    Content(one_line(title, 60)).stylize("dim"),
                    Content("  " + sanitize(", ".join(annotation.tags))).stylize("dim italic"),
                ),
            ]
            if annotation.note:
                parts.append(Content("✎ " + one_line(annotation.note, 100)).stylize("italic"))
            options.append(Option(Content("\n").join(parts), id=f"{annotation.doc}\x00{annotation.id}"))
        passages.add_options(options)
        passages.border_title = f"Passages ({len(options)})"
        if options:
            passages.highlighted = 0

    @on(Tree.NodeHighlighted, "#codebook-tree")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data is None:
            # the hidden root, highlighted as the tree is cleared and built: no tag, so this
            # said "No tags yet" beside a tree of tags until the cursor reached a tag
            return
        if event.node.data != self.selected_tag:
            self.show_tag(event.node.data)

    @on(Tree.NodeSelected, "#codebook-tree")
    def _selected(self, event: Tree.NodeSelected) -> None:
        """Enter on a tag: go to its passages."""
        self.show_tag(event.node.data)
        passages = self.query_one("#passages", OptionList)
        if passages.option_count:
            passages.focus()

    @on(OptionList.OptionSelected, "#passages")
    def _passage(self, event: OptionList.OptionSelected) -> None:
        doc_id, _, annotation_id = (event.option.id or "").partition("\x00")
        self.dismiss((doc_id, annotation_id))

    # ------------------------------------------------------------------ changes

    def _tag_or_warn(self) -> str | None:
        if self.selected_tag is None:
            self.notify("No tag selected.", severity="warning")
        return self.selected_tag

    def action_close(self) -> None:
        if self.focused is self.query_one("#passages"):
            self.tree.focus()
            return
        self.dismiss(None)

    def action_walk(self) -> None:
        """`W`: close and walk through every passage of the tag (from the highlighted passage
        when the passage list has the focus); `>` / `<` in the reader then step."""
        name = self._tag_or_warn()
        if name is None:
            return
        start_at = None
        passages = self.query_one("#passages", OptionList)
        if self.focused is passages and passages.highlighted is not None:
            start_at = (passages.get_option_at_index(passages.highlighted).id or "").partition("\x00")[2]
        self.dismiss(WalkStart(name, start_at))

    def action_rename(self) -> None:
        name = self._tag_or_warn()
        if name is None:
            return

        def done(new: str | None) -> None:
            new = (new or "").strip()
            if new and new != name:
                self.change(f"Renamed {name} to {new}", lambda: self.library.rename_tag(name, new), select=new)

        self.app.push_screen(
            PromptDialog(f"Rename {sanitize(name)}", "The new name (descendants follow: a/x becomes b/x)", value=name),
            done,
        )

    def action_merge(self) -> None:
        name = self._tag_or_warn()
        if name is None:
            return

        def done(choice: TagChoice | None) -> None:
            if choice is None or not choice.tags:
                return
            target = choice.tags[0]
            if target == name:
                return
            self.change(f"Merged {name} into {target}", lambda: self.library.merge_tags([name], target), select=target)

        self.app.push_screen(
            TagDialog(
                [t for t in self.library.tags() if t.name != name],
                counts=self.library.tag_counts(),
                recent=self.library.recent_tags(),
                title=f"Merge {sanitize(name)} into…",
                allow_note=False,
                multiple=False,
            ),
            done,
        )

    def action_recolor(self) -> None:
        name = self._tag_or_warn()
        if name is None:
            return
        tag = next((t for t in self.library.tags() if t.name == name), None)
        message = Content.assemble(
            "A colour name (red, teal…), #rrggbb, or a palette number: ",
            *[Content.assemble(swatch(color), Content(f"{i + 1} ").stylize("dim")) for i, color in enumerate(PALETTE)],
        )

        def problem(value: str) -> str | None:
            try:
                if value.strip():
                    parse_color(value)
            except ValueError as error:
                return sanitize(str(error))
            return None

        def done(value: str | None) -> None:
            if value is None or not value.strip():
                return
            color = parse_color(value)
            self.change(f"Recoloured {name}", lambda: self.library.set_tag(name, color=color))

        self.app.push_screen(
            PromptDialog(f"Colour of {sanitize(name)}", message, value=tag.color if tag else "", check=problem), done
        )

    def action_describe(self) -> None:
        name = self._tag_or_warn()
        if name is None:
            return
        tag = next((t for t in self.library.tags() if t.name == name), None)

        def done(value: str | None) -> None:
            if value is not None:
                self.change(f"Described {name}", lambda: self.library.set_tag(name, description=value.strip()))

        self.app.push_screen(
            PromptDialog(
                f"Describe {sanitize(name)}",
                "What the tag means (shown in the codebook)",
                value=tag.description if tag else "",
            ),
            done,
        )

    def action_new_tag(self) -> None:
        def done(value: str | None) -> None:
            value = (value or "").strip()
            if value:
                self.change(f"Created {value}", lambda: self.library.set_tag(value), select=value)

        self.app.push_screen(PromptDialog("New tag", "A name; a/b puts b under a"), done)

    def action_delete(self) -> None:
        name = self._tag_or_warn()
        if name is not None:
            self.change(f"Deleted tag {name}", lambda: self.library.delete_tag(name, "refuse"))

    def ask_delete_in_use(self, error: TagInUse) -> None:
        """The tag is on annotations: take it off them, delete them, or keep everything."""
        name = error.tag
        sole = f" ({error.sole} of them have no other tag and would be deleted)" if error.sole else ""
        answers = [
            ("remove", f"Take the tag off the {error.count} annotation(s){sole}"),
            ("delete_annotations", f"Delete the {error.count} annotation(s)"),
            ("cancel", "Keep the tag"),
        ]

        def done(answer: str | None) -> None:
            if answer in ("remove", "delete_annotations"):
                self.change(f"Deleted tag {name}", lambda: self.library.delete_tag(name, answer))

        self.app.push_screen(
            ChoiceDialog(
                f"Delete {sanitize(name)}?",
                f"{error.count} annotation(s) carry {sanitize(name)} or a tag under it.",
                answers,
            ),
            done,
        )

    @work(thread=True, exit_on_error=False, group="codebook")
    def change(self, done: str, call: Callable[[], object], select: str | None = None) -> None:
        """Run a store change in a thread (a rename may rewrite many files), then rebuild."""
        try:
            result = call()
        except TagInUse as error:
            self.app.call_from_thread(self.ask_delete_in_use, error)
            return
        except (StoreError, ValueError) as error:
            self.app.call_from_thread(
                self.notify, sanitize(str(error)), title="Codebook", severity="error", markup=False
            )
            return
        if isinstance(result, int):
            done += f" ({plural(result)} changed)"
        self.app.call_from_thread(self._changed, done, select)

    def _changed(self, done: str, select: str | None) -> None:
        self.notify(with_waiting(sanitize(done) + " · u undoes it", self.library.store), markup=False)
        self.rebuild(select)

    def annotations_changed(self) -> None:
        """After an undo or redo: show the codebook as it is now."""
        self.rebuild()
