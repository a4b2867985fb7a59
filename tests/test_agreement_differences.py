"""The worklist of differences: places, kinds, tolerance, order."""

from __future__ import annotations

from reader.agreement.differences import differences
from reader.agreement.study import CodedSpan


def s(coder, start, end, *tags, doc="d"):
    return CodedSpan(coder, doc, start, end, frozenset(tags))


def kinds(spans, coders=("a", "b"), **kw):
    return [(d.doc, d.start, d.end, d.kind) for d in differences(spans, coders, **kw)]


def test_matching_codings_are_no_difference_within_the_tolerance():
    assert kinds([s("a", 10, 50, "x"), s("b", 12, 48, "x")]) == []


def test_boundaries_beyond_the_tolerance_are_a_bounds_difference():
    assert kinds([s("a", 10, 50, "x"), s("b", 20, 50, "x")]) == [("d", 10, 50, "bounds")]
    assert kinds([s("a", 10, 50, "x"), s("b", 20, 50, "x")], tolerance=10) == []


def test_different_tags_on_the_same_text():
    assert kinds([s("a", 10, 50, "x"), s("b", 10, 50, "y")]) == [("d", 10, 50, "tags")]


def test_a_passage_only_one_coder_coded_is_missing_for_the_other():
    diffs = differences([s("a", 10, 50, "x"), s("a", 100, 120, "y"), s("b", 100, 120, "y")], ("a", "b"))
    assert [(d.start, d.kind) for d in diffs] == [(10, "missing")]
    a, b = diffs[0].versions
    assert (a.coder, len(a.spans), b.coder, b.spans) == ("a", 1, "b", ())


def test_overlapping_annotations_form_one_place_across_coders():
    spans = [s("a", 0, 30, "x"), s("b", 20, 60, "x"), s("a", 55, 80, "x")]
    (d,) = differences(spans, ("a", "b"))
    assert (d.start, d.end) == (0, 80)
    assert [len(v.spans) for v in d.versions] == [2, 1]


def test_other_coders_are_ignored_and_order_is_by_document_then_position():
    spans = [s("a", 5, 9, "x", doc="z"), s("a", 50, 60, "x"), s("a", 1, 3, "x"), s("c", 1, 3, "x")]
    assert kinds(spans) == [("d", 1, 3, "missing"), ("d", 50, 60, "missing"), ("z", 5, 9, "missing")]
    assert differences(spans, ("a", "c"))[0].start == 50


def test_three_coders_differ_when_any_one_differs():
    spans = [s("a", 0, 10, "x"), s("b", 0, 10, "x"), s("c", 0, 10, "y")]
    assert kinds(spans, ("a", "b", "c")) == [("d", 0, 10, "tags")]


def test_agreements_are_the_places_without_a_difference():
    from reader.agreement.differences import AGREED, agreements

    spans = [s("a", 10, 50, "x"), s("b", 12, 48, "x"), s("a", 100, 120, "y")]
    agreed = agreements(spans, ("a", "b"))
    assert [(d.start, d.end, d.kind) for d in agreed] == [(10, 50, AGREED)]
    assert [d.start for d in differences(spans, ("a", "b"))] == [100]
