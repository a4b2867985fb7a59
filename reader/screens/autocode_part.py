"""The main screen's auto-code flow: tag every match of the current search at once.

`A` finds every match of the query in the search box (the corpus, or the open document in
document scope) in a worker, asks for the tags, previews the matches (variant spellings first,
so none is tagged unseen) and, once confirmed, writes them all as one undo step in a worker.

`AutoCodePart` is a base of MainScreen (reader/screens/main.py), on top of the tagging flow
(`TaggingPart`: the tag dialog, read-only documents, redrawing after a change).
"""

from __future__ import annotations

from textual import work
from textual.content import Content
from textual.worker import get_current_worker

from reader.safe_text import sanitize
from reader.screens.autocode_messages import autocode_nothing
from reader.dialogs.prompts import ChoiceDialog
from reader.dialogs.tag import TagChoice, TagDialog
from reader.screens.tagging_part import TaggingPart
from reader.screens.variant_notes import autocode_variants_message
from reader.services import AutoCodePlan
from reader.store import StoreError
from reader.widgets.labels import one_line

PREVIEW_LIMIT = 200
"""Matches listed in the auto-code preview (the count covers them all)."""


class AutoCodePart(TaggingPart):
    """Plan, preview, confirm and write an auto-coding (module docstring)."""

    def action_autocode(self) -> None:
        """`A`: tag every match of the current search (preview, then confirm; one undo)."""
        query = self.search_box.value.strip()
        if not query:
            self.notify("Search first (/): auto-code tags every match of the current search.", severity="warning")
            return
        doc_ids = None
        if self.scope == "document":
            if self._writable() is None:
                return
            doc_ids = [self.opened.document.id]  # type: ignore[union-attr]
        self.notify(f"Finding every match of {sanitize(query)}…", markup=False, timeout=2)
        self._plan_autocode(query, doc_ids)

    @work(thread=True, exclusive=True, exit_on_error=False, group="autocode")
    def _plan_autocode(self, query: str, doc_ids: list[str] | None) -> None:
        from index.search import QueryError

        worker = get_current_worker()
        try:
            plan = self.library.plan_autocode(
                query, doc_ids, lambda: worker.is_cancelled, variants=not self.exact_spelling
            )
        except QueryError as error:
            self.app.call_from_thread(self.notify, sanitize(error.message), severity="error", markup=False)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._autocode_planned, plan)

    def _autocode_planned(self, plan: AutoCodePlan) -> None:
        for reason in plan.skipped[:3]:
            self.notify(sanitize(f"Skipped {reason}"), severity="warning", markup=False)
        if not plan.matches:
            self.notify(autocode_nothing(plan), severity="warning", markup=False, timeout=8)
            return
        count = f"{len(plan.matches)} match{'es' if len(plan.matches) != 1 else ''}"

        def tags_chosen(choice: TagChoice | None) -> None:
            if choice is not None and choice.tags:
                self._confirm_autocode(plan, choice)

        self.app.push_screen(
            TagDialog(
                self.library.tags(),
                counts=self.library.tag_counts(),
                recent=self.library.recent_tags(),
                title=f"Auto-code {count} of “{one_line(plan.query, 30)}” with…",
            ),
            tags_chosen,
        )

    def _confirm_autocode(self, plan: AutoCodePlan, choice: TagChoice) -> None:
        tags = ", ".join(choice.tags)
        count = f"{len(plan.matches)} match{'es' if len(plan.matches) != 1 else ''}"
        preview = []
        # Variant spellings first, so none is tagged unseen; then the exact ones.
        shown = sorted(plan.matches, key=lambda m: not m.variant_of)[:PREVIEW_LIMIT]
        for match in shown:
            a, b = match.context_span
            context = Content.assemble(
                Content(one_line(match.title, 40)).stylize("dim"),
                "  ",
                Content(sanitize(match.context[:a]).replace("\n", " ")),
                Content(sanitize(match.context[a:b]).replace("\n", " ")).stylize("bold reverse"),
                Content(sanitize(match.context[b:]).replace("\n", " ")),
            )
            if match.variant_of:
                context = Content.assemble(Content("variant ").stylize("italic"), context)
            preview.append(context)
        message = (
            f"Tag {count} in {plan.documents} document(s) with {sanitize(tags)}? "
            f"{autocode_variants_message(plan)}One undo (u) reverts it all."
        )
        if len(plan.matches) > PREVIEW_LIMIT:
            message += f" (the first {PREVIEW_LIMIT} are listed)"

        def confirmed(answer: str | None) -> None:
            if answer == "yes":
                self._autocode(plan, list(choice.tags), choice.note)

        self.app.push_screen(
            ChoiceDialog("Auto-code", message, [("yes", f"Tag all {count}"), ("no", "Cancel")], preview=preview),
            confirmed,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="autocode")
    def _autocode(self, plan: AutoCodePlan, tags: list[str], note: str) -> None:
        try:
            created = self.library.autocode(plan, tags, note)
        except (StoreError, ValueError) as error:
            self.app.call_from_thread(
                self.notify, sanitize(str(error)), title="Auto-code", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self._autocoded, len(created), tags)

    def _autocoded(self, count: int, tags: list[str]) -> None:
        self.notify(
            sanitize(f"Tagged {count} match{'es' if count != 1 else ''} with {', '.join(tags)} · u undoes it"),
            markup=False,
        )
        self.annotations_changed()
