"""The annotation model: JSON round trips, validation, and no UI imports in the domain layer."""

from __future__ import annotations

import json

import pytest

from reader.model import (
    Annotation,
    DocumentAttributes,
    FormatError,
    Tag,
    TextPositionSelector,
    TextQuoteSelector,
    annotation_from_json,
    annotation_to_json,
    attributes_from_json,
    attributes_to_json,
    is_valid_time,
    palette_color,
    tag_from_json,
    tag_matches,
    tag_to_json,
    utc_now,
    validate_tag_name,
)


def make_annotation(**over) -> Annotation:
    fields = dict(
        id="6f1c2a4e-0000-4000-8000-000000000001",
        doc="news/a.txt",
        doc_sha256="ab" * 32,
        position=TextPositionSelector(3, 9),
        quote=TextQuoteSelector("“quote”", "pré", "suf 👩‍👩‍👧"),
        tags=("actor/Nujaba", "event/strike"),
        note="a note\nwith a newline",
        creator="rania",
        created="2024-08-01T10:00:00.000000Z",
        modified="2024-08-02T11:30:00.123456Z",
    )
    fields.update(over)
    return Annotation(**fields)


def test_annotation_json_round_trip_keeps_every_field():
    a = make_annotation()
    obj = json.loads(json.dumps(annotation_to_json(a), ensure_ascii=False))
    assert annotation_from_json(obj) == a
    # W3C selector names, so export is a mapping
    assert obj["position"]["type"] == "TextPositionSelector"
    assert obj["quote"]["type"] == "TextQuoteSelector"
    assert set(obj["quote"]) == {"type", "exact", "prefix", "suffix"}


def test_a_parsed_annotation_is_the_one_its_dataclasses_build():
    # the parser sets the frozen instances' attributes at once: the same fields, values and
    # behaviour as their __init__ (a new field must be added to both)
    import dataclasses
    import pickle

    a = make_annotation()
    parsed = annotation_from_json(json.loads(json.dumps(annotation_to_json(a))))
    for built, made in ((parsed, a), (parsed.position, a.position), (parsed.quote, a.quote)):
        assert type(built) is type(made)
        names = [f.name for f in dataclasses.fields(made)]
        assert [getattr(built, n) for n in names] == [getattr(made, n) for n in names]
        assert not hasattr(built, "__dict__")  # slots: 100,000 of them held by a store
    from reader import model

    setters = {name for name in vars(model) if name.startswith(("_set_", "_position_", "_quote_"))}
    assert len(setters) == sum(len(dataclasses.fields(x)) for x in (a, a.position, a.quote))  # every field set
    assert hash(parsed) == hash(a) and parsed == a
    assert pickle.loads(pickle.dumps(parsed)) == a
    assert dataclasses.replace(parsed, note="x").note == "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.note = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "breakage",
    [
        lambda o: o.pop("id"),
        lambda o: o.__setitem__("tags", []),
        lambda o: o.__setitem__("tags", "actor"),
        lambda o: o["position"].__setitem__("start", "3"),
        lambda o: o["position"].__setitem__("end", 2),
        lambda o: o["position"].__setitem__("start", True),
        lambda o: o["quote"].pop("exact"),
        lambda o: o.__setitem__("doc_sha256", None),
        lambda o: o.__setitem__("position", [3, 4]),
        lambda o: o.__setitem__("quote", "Babel"),
        lambda o: o.__setitem__("tags", ["actor", ""]),
    ],
)
def test_malformed_annotation_is_a_format_error(breakage):
    from reader.model import _checked_annotation

    obj = annotation_to_json(make_annotation())
    breakage(obj)
    with pytest.raises(FormatError) as fast:
        annotation_from_json(obj)
    with pytest.raises(FormatError) as checked:  # the field-by-field path names the same fault
        _checked_annotation(obj)
    assert str(fast.value) == str(checked.value)


def test_tag_and_attributes_round_trip():
    t = Tag("actor/Nujaba", "#aabbcc", "Harakat al-Nujaba")
    assert tag_from_json(tag_to_json(t)) == t
    assert t.parent == "actor"
    a = DocumentAttributes("x.txt", title="T", date=None, source="S", attributes={"outlet": "Newsweek"})
    assert attributes_from_json("x.txt", attributes_to_json(a)) == a
    assert attributes_from_json("x.txt", None) == DocumentAttributes("x.txt")
    assert DocumentAttributes("x.txt").is_empty() and not a.is_empty()
    with pytest.raises(FormatError):
        attributes_from_json("x.txt", {"attributes": {"k": 3}})


def test_times_have_one_format():
    now = utc_now()
    assert is_valid_time(now) and now.endswith("Z") and len(now) == 27
    assert not is_valid_time("2024-08-01T10:00:00Z")


@pytest.mark.parametrize("bad", ["", "/a", "a/", "a//b", " a", "a /b", "a\nb"])
def test_bad_tag_names_are_refused(bad):
    with pytest.raises(ValueError):
        validate_tag_name(bad)


def test_tag_hierarchy_and_palette():
    assert tag_matches("actor/Nujaba", "actor") and tag_matches("actor", "actor")
    assert not tag_matches("actors", "actor")
    assert palette_color("actor/Nujaba") == palette_color("actor/Nujaba")
    assert palette_color("x").startswith("#") and len(palette_color("x")) == 7


def test_a_files_annotations_share_their_repeated_strings():
    """Parsed with one `shared` dict (a file's), equal annotations to those parsed alone, but
    the document, hash, times, coder and tags each held once: JSON gives every annotation
    its own copies, a quarter of a 100,000-annotation store's memory."""
    records = [
        annotation_to_json(
            make_annotation(id=f"6f1c2a4e-0000-4000-8000-00000000000{i}", position=TextPositionSelector(i, i + 5))
        )
        for i in range(1, 4)
    ]
    shared: dict[str, str] = {}
    together = [annotation_from_json(json.loads(json.dumps(r)), shared) for r in records]
    alone = [annotation_from_json(json.loads(json.dumps(r))) for r in records]
    assert together == alone
    first, *others = together
    for other in others:
        for field in ("doc", "doc_sha256", "created", "modified", "creator"):
            assert getattr(other, field) is getattr(first, field), field
        assert all(a is b for a, b in zip(other.tags, first.tags))
    another_file = annotation_from_json(json.loads(json.dumps(records[0])), {})
    assert another_file.tags[0] is first.tags[0]  # tag names interned: one copy across files
    assert another_file.creator is first.creator
    assert alone[1].doc is not alone[0].doc  # without `shared`, JSON's own copies


@pytest.mark.parametrize("field", ["creator", "created", "modified", "note"])
def test_sharing_leaves_an_odd_value_as_it_was(field):
    """A hand-edited file with a list where a string goes: read the same with sharing as
    without (no TypeError from a list used as a key)."""
    obj = annotation_to_json(make_annotation())
    obj[field] = ["not", "a", "string"]
    assert annotation_from_json(json.loads(json.dumps(obj)), {}) == annotation_from_json(json.loads(json.dumps(obj)))
