"""The command palette's reader commands (ctrl+p): open a document, search, jump to an annotation,
and the tagging actions (tag the selection, codebook, undo, redo, auto-code, annotations panel).

Switching theme, showing the keys and quitting are Textual's own system commands, which the app
keeps alongside these. Titles, tags and notes come from the corpus and the user: they are shown
as plain `Content` (never markup) after `safe_text.sanitize`, and never put in `help` (markup).
"""

from __future__ import annotations

import asyncio
import heapq
import operator
import re
import weakref
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from reader.safe_text import sanitize
from reader.wording import ellipsize

if TYPE_CHECKING:
    from reader.model import Annotation
    from reader.screens.main import MainScreen
    from reader.services import DocumentRow

MAX_QUOTE = 60
DISCOVER_LIMIT = 50
"""Commands listed before anything is typed (typing searches them all)."""
MAX_HITS = 200
"""The best matches of a query the palette lists (it shows about ten at a time)."""
STOP_EVERY = 1_000
"""Texts scored between two looks at whether a newer query was typed."""


Target = tuple[str, "str | None"]
"""What a document or annotation command opens: (document id, annotation id or None). Its
callback is made only for the commands listed: a `partial` for each of 130,000 kept between
openings held 40 MB."""

Command = tuple[str, "Callable[[], object] | Target", str]
"""(text to match, callback or Target, help)."""


@dataclass(eq=False)
class _MadeCommands:
    """The commands made for a main screen's documents and annotations, kept from one opening
    of the palette to the next (a provider is made anew at each), and their texts' index."""

    rows: list[DocumentRow]
    annotations: list[Annotation]
    commands: list[Command]
    texts: "CommandTexts | None" = None

    def made_from(self, rows: list[DocumentRow], annotations: list[Annotation]) -> bool:
        return _same(rows, self.rows) and _same(annotations, self.annotations)


def _same(items: list, kept: list) -> bool:
    return len(items) == len(kept) and all(map(operator.is_, items, kept))


_MADE: "weakref.WeakKeyDictionary[MainScreen, _MadeCommands]" = weakref.WeakKeyDictionary()


class ReaderCommands(Provider):
    """Documents by title, annotations by tag/note/quote, and "search for <what you typed>"."""

    @property
    def main(self) -> "MainScreen":
        return self.app.main_screen  # type: ignore[attr-defined]

    def _actions(self) -> list[tuple[str, Callable[[], object], str]]:
        """(title, callback, help) of the tagging actions, with their keys in the help."""
        main, app = self.main, self.app
        return [
            ("Tag the selection", main.action_tag, "Open the tag dialog on the selection (t)"),
            ("Codebook", main.action_codebook, "Tags as a tree: rename, merge, colour... (c)"),
            ("Undo", app.action_undo, "Undo the last change to the annotations (u)"),  # type: ignore[attr-defined]
            ("Redo", app.action_redo, "Redo what was undone (ctrl+r)"),  # type: ignore[attr-defined]
            ("Auto-code the current search", main.action_autocode, "Tag every match of the search in one step (A)"),
            ("Annotations panel", main.action_toggle_annotations, "Show or hide the open document's annotations (a)"),
            ("Compare with…", main.action_compare, "The open document beside another, aligned passage by passage (C)"),
            (
                "Open the search hit beside the document",
                main.action_open_beside,
                "The highlighted hit in the other pane of a side-by-side view (ctrl+o)",
            ),
            (
                "Export annotations…",
                main.action_export,
                "Markdown, CSV, JSON Lines, HTML, W3C or REFI-QDA, with filters (E)",
            ),
            (
                "Import annotations…",
                main.action_import_annotations,
                "From a REFI-QDA project (.qdpx) or W3C JSON-LD (I)",
            ),
            (
                "Concordance of the search",
                main.action_concordance,
                "Every match in context; enter opens it, t tags it (K)",
            ),
            (
                "Rebuild the index",
                main.action_rebuild_index,
                "Build the search index afresh: one made by an earlier version then searches phrases faster",
            ),
            ("Code matrix", main.action_code_matrix, "Documents or an attribute by tags, with totals (M)"),
            ("Co-occurrence of tags", main.action_cooccurrence, "Pairs of tags that overlap or share a paragraph (O)"),
            (
                "Code as… (switch coder)",
                main.action_switch_coder,
                "Who new annotations are stamped with; can be saved in config.toml",
            ),
            (
                "Show coding of… (everyone, only mine, one coder)",
                main.action_show_coders,
                "Blind coding: hide the other coders' annotations and counts",
            ),
            (
                "Settle differences between coders",
                main.action_settle,
                "The worklist: each coder's version side by side, accept into a consensus (D)",
            ),
            (
                "Resolve merge conflicts",
                main.action_conflicts,
                "Annotations a git merge left with several versions: keep one of each (X)",
            ),
            (
                "Frequencies and timeline",
                main.action_frequencies,
                "Most frequent words, passages per tag, documents by date (F)",
            ),
        ]

    def _commands(self) -> _MadeCommands:
        """(text to match, callback or Target, help) for every document and annotation: made
        again only when the documents' rows or the annotations shown are not those they were
        made from (both are immutable records, compared by identity: 5 ms at 130,000 of them,
        where making the commands took 0.8 s of each opening of the palette)."""
        main = self.main
        rows, annotations = list(main.rows), main.library.shown.annotations()
        made = _MADE.get(main)
        if made is None or not made.made_from(rows, annotations):
            made = _MADE[main] = _MadeCommands(rows, annotations, self._make_commands(rows, annotations))
        return made

    def _make_commands(self, rows: list[DocumentRow], annotations: list[Annotation]) -> list[Command]:
        titles = {row.id: row.title for row in rows}
        commands: list[Command] = [
            (f"Open: {sanitize(row.title)}", (row.id, None), "Open this document in the reader") for row in rows
        ]
        for annotation in annotations:
            tags = ", ".join(annotation.tags) or "(no tag)"
            quote = ellipsize(" ".join(annotation.quote.exact.split()), MAX_QUOTE)
            title = titles.get(annotation.doc, annotation.doc)
            text = sanitize(f"Annotation: {tags} — “{quote}” — {title}")
            commands.append(
                (
                    text,
                    (annotation.doc, annotation.id),
                    "Jump to this annotation",
                )
            )
        return commands

    async def startup(self) -> None:
        """Every command, made once for the palette's life (it is made anew at each opening),
        not at each keystroke: at 100,000 documents and annotations making them took longer
        than the match."""
        made = self._commands()
        self._actions_made = self._actions()
        self._documents_made = made.commands
        self._made = [*self._actions_made, *self._documents_made]  # what CommandTexts' indexes name
        texts = [text for text, _, _ in self._made]
        if made.texts is None or made.texts.texts != texts:  # the actions' texts are fixed, mostly
            made.texts = CommandTexts(texts)
        self._texts = made.texts
        self._searches = 0

    async def discover(self) -> Hits:
        main = self.main
        yield DiscoveryHit(
            "Search the corpus", partial(main.start_search, "", "corpus"), help="Focus the search box (/)"
        )
        for text, callback, help in self._actions_made:
            yield DiscoveryHit(text, callback, help=help)
        for text, target, help in self._documents_made[:DISCOVER_LIMIT]:
            yield DiscoveryHit(Content(text), self._callback(target), text=text, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        main = self.main
        words = query.strip()
        if words:
            # "search <words>" puts this first; otherwise it comes after every other match
            explicit = words.lower().startswith("search ")
            if explicit:
                words = words[len("search ") :].strip()
            text = f"Search the corpus for {words}"
            yield Hit(
                1.0 if explicit else 0.01,
                Content(sanitize(text)),
                partial(main.start_search, words, "corpus"),
                text=text,
                help="Show the hits in the sidebar",
            )
        self._searches += 1  # this search is the newest: an older one's scoring stops
        mine = self._searches
        best = await asyncio.to_thread(self._texts.best, matcher, query, MAX_HITS, lambda: self._searches != mine)
        for score, at in best:
            text, target, help = self._made[at]
            yield Hit(score, _highlight(matcher, text), self._callback(target), text=text, help=help)

    def _callback(self, target: "Callable[[], object] | Target") -> Callable[[], object]:
        if callable(target):
            return target
        doc, annotation = target
        if annotation is None:
            return partial(self.main.open_document, doc)
        return partial(self.main.open_document, doc, annotation_id=annotation)


class CommandTexts:
    """The palette's command texts, matched against a query as Textual's fuzzy matcher does,
    best first, without scoring or highlighting every one of them.

    Why: Textual scores a text with a few Python calls per letter, and the palette then lists
    every hit. At 15,000 documents one keystroke took about a third of a second of matching and
    highlighting before the palette drew 13,000 rows, and typing lagged by seconds. A text can
    match only if it holds the query's letters in order (Textual's matcher: case-insensitive,
    spaces are letters too), which one regular expression finds over all the texts joined by
    newlines at C speed; only those are scored (`Matcher.match`, so the scores are Textual's),
    and only the best `limit` highlighted and listed."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        lowered = [text.lower().replace("\n", " ") for text in texts]
        self._joined = "\n".join(lowered)
        self._starts = [0, *accumulate(len(text) + 1 for text in lowered)]

    def candidates(self, query: str) -> list[int]:
        """The indexes of the texts that hold the query's letters in order (each letter after
        the first found at its first place past the one before: a class of everything but it
        and the newline, so a text that fails is not searched again from each of its letters)."""
        letters = query.lower()
        if not letters or "\n" in letters:
            return []
        pattern = re.compile(
            re.escape(letters[0]) + "".join(f"[^\n{re.escape(c)}]*{re.escape(c)}" for c in letters[1:])
        )
        found: list[int] = []
        joined, starts, at = self._joined, self._starts, 0
        while (match := pattern.search(joined, at)) is not None:
            index = bisect_right(starts, match.start()) - 1
            found.append(index)
            at = starts[index + 1]  # the next text's first character
        return found

    def best(
        self, matcher: Matcher, query: str, limit: int, stop: Callable[[], bool] | None = None
    ) -> list[tuple[float, int]]:
        """(score, index) of the best `limit` matching texts, best first (ties: the first).
        `stop()` true (a newer query typed) ends the scoring early, with nothing: the palette
        runs this in a thread, and a short query scores a hundred thousand texts."""
        scored = []
        texts = self.texts
        for n, index in enumerate(self.candidates(query)):
            if stop is not None and n % STOP_EVERY == 0 and stop():
                return []
            score = matcher.match(texts[index])
            if score > 0:
                scored.append((score, index))
        return heapq.nlargest(limit, scored, key=lambda hit: (hit[0], -hit[1]))


def _highlight(matcher: Matcher, text: str) -> Content:
    """`Matcher.highlight` without its markup parsing (titles are untrusted text)."""
    content = Content(text)
    _, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
