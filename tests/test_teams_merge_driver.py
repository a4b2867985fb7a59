"""The merge driver on the codebook and on attributes: one-sided changes merge, clashes fail loudly."""

from __future__ import annotations

from reader.model import DocumentAttributes, Tag
from reader.store.records import DocFile, serialise_codebook
from reader.teams.merge_driver import main as driver_main


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def codebook(*tags: Tag) -> bytes:
    return serialise_codebook({t.name: t for t in tags})


def test_codebook_changes_on_each_side_are_all_kept(tmp_path):
    base = codebook(Tag("a", "#111111"), Tag("b", "#222222"))
    ours = codebook(Tag("a", "#111111", "about a"), Tag("b", "#222222"), Tag("new/ours", "#333333"))
    theirs = codebook(Tag("a", "#111111"), Tag("theirs", "#444444"))  # b deleted
    args = [write(tmp_path, n, d) for n, d in (("O", base), ("A", ours), ("B", theirs))]
    assert driver_main([*args, "annotations/codebook.json"]) == 0
    assert (tmp_path / "A").read_bytes() == codebook(
        Tag("a", "#111111", "about a"), Tag("new/ours", "#333333"), Tag("theirs", "#444444")
    )


def test_a_tag_coloured_differently_on_both_sides_fails_loudly(tmp_path, capsys):
    name = "x\x1b[31m"
    base, ours, theirs = (codebook(Tag(name, c)) for c in ("#111111", "#222222", "#333333"))
    args = [write(tmp_path, n, d) for n, d in (("O", base), ("A", ours), ("B", theirs))]
    assert driver_main([*args, "annotations/codebook.json"]) == 1
    err = capsys.readouterr().err
    assert "cannot merge annotations/codebook.json" in err and "changed differently on both sides" in err
    assert "\x1b" not in err
    assert (tmp_path / "A").read_bytes() == ours  # left as it was: git marks it conflicted


def test_attributes_merge_field_by_field(tmp_path):
    def doc(**kw) -> bytes:
        return DocFile("d.txt", tmp_path / "x", attributes=DocumentAttributes("d.txt", **kw)).serialise()

    base = doc(title="T")
    ours = doc(title="T", date="2024-01-01")
    theirs = doc(title="T2", attributes={"outlet": "N"})
    args = [write(tmp_path, n, d) for n, d in (("O", base), ("A", ours), ("B", theirs))]
    assert driver_main([*args, "annotations/docs/d.txt.json"]) == 0
    assert (tmp_path / "A").read_bytes() == doc(title="T2", date="2024-01-01", attributes={"outlet": "N"})


def test_usage_and_unreadable_input_exit_non_zero(tmp_path, capsys):
    assert driver_main([]) == 2
    args = [write(tmp_path, n, d) for n, d in (("O", b""), ("A", b"{not json"), ("B", b"{}"))]
    assert driver_main([*args, "annotations/docs/d.txt.json"]) == 1
    assert "cannot merge" in capsys.readouterr().err
    assert (tmp_path / "A").read_bytes() == b"{not json"
