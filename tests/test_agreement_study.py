"""A study from coded spans: units, tag sets, descendants, missing coders, uncoded text."""

from __future__ import annotations

import pytest

from reader.agreement.study import CodedSpan, Study

TEXT = "One two three. Four five six.\n\nSeven eight nine ten."  # 52 characters


def span(coder, start, end, *tags, doc="d"):
    return CodedSpan(coder, doc, start, end, frozenset(tags))


def results(spans, coders=("a", "b"), texts=None, **kw):
    out = Study(spans, texts or {"d": TEXT}, tuple(coders), replicates=0, **kw).results()
    return {r.tag: r for r in out}


def test_identical_coding_agrees_perfectly_with_and_without_uncoded_text():
    spans = [span("a", 0, 13, "x"), span("b", 0, 13, "x")]
    r = results(spans)["x"]
    fig = r.with_uncoded
    assert (fig.percent, fig.kappa, fig.alpha, fig.alpha_u) == (100.0, 1.0, 1.0, 1.0)
    # on the coded text alone every unit is (x, x): no variation, so kappa and alpha are
    # undefined (chance agreement is certain), and the output says why
    fig = r.without_uncoded
    assert fig.percent == 100.0
    assert fig.kappa is None and fig.alpha is None
    assert "no variation" in fig.reason
    assert fig.alpha_u == pytest.approx(1.0)
    assert r.with_uncoded.units == len(TEXT)
    assert r.without_uncoded.units == 13
    assert r.with_uncoded.coded_by == {"a": 13, "b": 13}
    assert r.with_uncoded.overlaps == 13


def test_uncoded_text_inflates_percent_agreement_and_the_shrunk_figures_say_so():
    spans = [span("a", 0, 13, "x"), span("b", 4, 20, "x")]
    r = results(spans)["x"]
    assert r.with_uncoded.percent > r.without_uncoded.percent
    assert r.without_uncoded.units == 20  # characters 0..20 were coded by someone
    # by hand: of 20 coded characters, 4..13 (9) agree
    assert r.without_uncoded.percent == pytest.approx(100 * 9 / 20)


def test_word_units_count_overlap_and_tag_descendants():
    # a codes "two three" as place/x, b codes "three" as place: per word they agree on "three"
    spans = [span("a", 4, 13, "place/x"), span("b", 8, 13, "place")]
    by_tag = results(spans, unit="word", tags=("place",))
    r = by_tag["place"]
    assert r.with_uncoded.units == 10  # ten words
    assert r.with_uncoded.coded_by == {"a": 2, "b": 1}
    assert r.with_uncoded.overlaps == 1
    assert r.with_uncoded.percent == pytest.approx(90.0)
    overall = by_tag[None]  # overall compares tag sets: place/x is not place
    assert overall.with_uncoded.percent == pytest.approx(80.0)


@pytest.mark.parametrize(("unit", "units"), [("sentence", 3), ("paragraph", 2), ("document", 1)])
def test_bigger_units(unit, units):
    spans = [span("a", 0, 3, "x"), span("b", 40, 45, "x")]
    r = results(spans, unit=unit)["x"]
    assert r.with_uncoded.units == units


def test_a_coder_absent_from_a_document_is_missing_only_when_asked():
    texts = {"d": TEXT, "e": "Another document entirely."}
    spans = [span("a", 0, 13, "x"), span("b", 0, 13, "x"), span("a", 0, 7, "x", doc="e")]
    counted = results(spans, texts=texts)["x"]
    missing = results(spans, texts=texts, absent_as_missing=True)["x"]
    assert counted.with_uncoded.units == len(TEXT) + len(texts["e"])
    assert counted.with_uncoded.alpha < 1.0  # b "said nothing" about e
    assert missing.with_uncoded.alpha == pytest.approx(1.0)  # b did not code e at all
    assert missing.with_uncoded.kappa == pytest.approx(1.0)  # over units both coded


def test_a_tag_nobody_used_is_undefined_with_a_reason():
    r = results([span("a", 0, 3, "x"), span("b", 0, 3, "x")], tags=("x", "nothing"))["nothing"]
    assert r.with_uncoded.alpha is None
    assert r.with_uncoded.kappa is None
    assert r.with_uncoded.reason == "nobody coded this"


def test_three_coders_use_fleiss_kappa():
    spans = [span(c, 0, 13, "x") for c in "abc"] + [span("c", 20, 30, "x")]
    r = results(spans, coders=("a", "b", "c"))["x"]
    assert r.coders == ("a", "b", "c")
    assert 0 < r.with_uncoded.kappa < 1
    assert r.with_uncoded.overlaps == 13


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        Study([], {"d": TEXT}, ("a", "b"), unit="line")
