"""Re-anchoring: position, exact quote, fuzzy, orphan; never a lost annotation."""

from __future__ import annotations


from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from index.document import Span
from reader.anchoring import anchor, anchor_all, occurrences, report
from reader.model import Annotation, TextPositionSelector, TextQuoteSelector

from conftest import SEEDS

SEED_TEXT = (SEEDS / "000_5f0b56e8f3292fd3.txt").read_text(encoding="utf-8")


def ann(text: str, start: int, end: int, id: str = "a") -> Annotation:
    return Annotation(
        id=id,
        doc="d",
        doc_sha256="old",
        position=TextPositionSelector(start, end),
        quote=TextQuoteSelector.from_text(text, start, end),
        tags=("t",),
    )


def test_in_place():
    text = "The quick brown fox."
    r = anchor(ann(text, 4, 9), text)
    assert (r.status, r.span) == ("anchored", Span(4, 9))


def test_moved_after_insertion_before():
    text = "The quick brown fox."
    a = ann(text, 10, 15)  # brown
    new = "Yesterday, " + text
    r = anchor(a, new)
    assert r.status == "moved" and new[r.span.start : r.span.end] == "brown"
    assert r.span.start == 10 + len("Yesterday, ")


def test_repeats_are_told_apart_by_context_not_just_distance():
    text = "Omar: the truce is over. Rania: the truce holds."
    start = text.index("the truce holds")
    a = ann(text, start, start + len("the truce"))
    new = "Rania: the truce holds. Omar: the truce is over."  # Omar's is now nearer the old place
    r = anchor(a, new)
    assert r.status == "moved" and r.span == Span(7, 16)


def test_nearest_occurrence_wins_when_context_ties():
    text = "x ab x " * 10
    a = Annotation("a", "d", "h", TextPositionSelector(30, 32), TextQuoteSelector("ab"), ("t",))
    r = anchor(a, "." + text)
    assert r.status == "moved" and r.span == Span(31, 33)


def test_fuzzy_when_the_quote_itself_was_edited():
    text = SEED_TEXT
    start = text.index("procrastination and delay")
    a = ann(text, start, start + len("procrastination and delay"))
    new = text.replace("procrastination and delay", "procrastination and a delay")
    r = anchor(a, new)
    assert r.status == "fuzzy"
    assert new[r.span.start : r.span.end] == "procrastination and a delay"
    assert abs(r.span.start - start) < 5


def test_orphan_when_the_passage_is_gone_and_it_is_kept():
    text = SEED_TEXT
    start = text.index("procrastination and delay")
    a = ann(text, start, start + 25)
    new = text.replace("procrastination and delay", "")
    r = anchor(a, new)
    assert r.status == "orphan" and r.span is None and r.annotation is a


def test_short_quote_needs_context_to_be_fuzzy():
    a = ann("I saw a cat here.", 8, 11)  # "cat"
    assert anchor(a, "Completely different text about a car.").status == "orphan"


def test_non_ascii_offsets_are_code_points():
    arabic = "قال الأمين العام لحركة النُّجَباء إنّ"  # with combining marks
    emoji = "family 👨‍👩‍👧‍👦 and “curly quotes”"
    text = arabic + " " + emoji
    q = "النُّجَباء"
    s = text.index(q)
    a = ann(text, s, s + len(q))
    new = "👩‍👩‍👧 " + text
    r = anchor(a, new)
    assert r.status == "moved" and new[r.span.start : r.span.end] == q
    s2 = text.index("“curly quotes”")
    b = ann(text, s2, s2 + len("“curly quotes”"))
    r2 = anchor(b, text.replace("family", "famille"))
    assert r2.status == "moved"
    assert text.replace("family", "famille")[r2.span.start : r2.span.end] == "“curly quotes”"


def test_report_counts():
    text = "one two three"
    results = anchor_all([ann(text, 0, 3, "a"), ann(text, 4, 7, "b")], "zero one")
    rep = report(results)
    assert (rep.anchored, rep.moved, rep.fuzzy, rep.orphaned) == (0, 1, 0, 1)
    assert "1 moved" in str(rep)


def test_occurrences_overlap():
    assert occurrences("aaaa", "aa") == [0, 1, 2]


# --- properties ---------------------------------------------------------------------------------

ALPHABET = "ab cdé’“”نُّ👍\n"
edit = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.floats(0, 1),
    st.integers(0, 12),
    st.text(alphabet=ALPHABET, max_size=12),
)


def apply_edits(text: str, edits, focus: tuple[int, int] | None = None) -> str:
    for kind, where, length, new in edits:
        if focus is not None:  # edits cluster around and inside the span
            lo, hi = max(0, focus[0] - 40), min(len(text), focus[1] + 40)
            pos = lo + int(where * (hi - lo))
        else:
            pos = int(where * len(text))
        if kind == "insert":
            text = text[:pos] + new + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + length :]
        else:
            text = text[:pos] + new + text[pos + length :]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(alphabet=ALPHABET, min_size=1, max_size=300),
    spans=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 30)), min_size=1, max_size=5),
    edits=st.lists(edit, max_size=6),
)
def test_every_annotation_survives_and_non_fuzzy_text_equals_quote(text, spans, edits):
    anns = []
    for n, (where, length) in enumerate(spans):
        start = min(int(where * len(text)), len(text) - 1)
        end = min(len(text), start + length)
        anns.append(ann(text, start, end, str(n)))
    new = apply_edits(text, edits, focus=(anns[0].start, anns[0].end))
    results = anchor_all(anns, new)
    assert [r.annotation.id for r in results] == [a.id for a in anns]  # none disappears
    for r in results:
        if r.status in ("anchored", "moved"):
            assert new[r.span.start : r.span.end] == r.annotation.quote.exact
        elif r.status == "fuzzy":
            assert 0 <= r.span.start < r.span.end <= len(new)
        else:
            assert r.span is None


@settings(max_examples=150, deadline=None)
@given(
    where=st.floats(0, 1),
    length=st.integers(20, 120),
    edits=st.lists(edit, min_size=1, max_size=8),
    data=st.data(),
)
def test_edits_outside_a_unique_passage_find_it_exactly(where, length, edits, data):
    text = SEED_TEXT
    start = int(where * (len(text) - length))
    end = start + length
    assume(len(occurrences(text, text[start:end])) == 1)
    a = ann(text, start, end)
    # apply the edits to the text before and after the passage only
    cut = data.draw(st.integers(0, len(edits)))
    before = apply_edits(text[:start], edits[:cut])
    after = apply_edits(text[end:], edits[cut:])
    new = before + text[start:end] + after
    assume(len(occurrences(new, text[start:end])) == 1)
    r = anchor(a, new)
    assert r.status in ("anchored", "moved")
    assert r.span == Span(len(before), len(before) + length)


@settings(max_examples=100, deadline=None)
@given(where=st.floats(0, 1), length=st.integers(40, 120), pos=st.floats(0, 1), new=st.text(ALPHABET, max_size=4))
@example(where=1.0, length=40, pos=1.0, new="daaa")  # the document's last passage: it was cut 7 short
def test_a_small_edit_inside_a_long_passage_is_found_fuzzy_in_place(where, length, pos, new):
    text = SEED_TEXT
    start = int(where * (len(text) - length))
    end = start + length
    assume(len(occurrences(text, text[start:end])) == 1)
    a = ann(text, start, end)
    cut = start + 5 + int(pos * (length - 10))  # not at the very edge: there it is ambiguous
    edited = text[:cut] + new + text[cut + 1 :]  # replace one character by up to four
    r = anchor(a, edited)
    assert r.status in ("anchored", "moved", "fuzzy")
    assert abs(r.span.start - start) <= 1 and abs(r.span.end - (end + len(new) - 1)) <= 1
