"""`reader store copy`: a JSON project to the server and back is byte for byte the same folder."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from postgres_server import pg_server, pg_url  # noqa: F401  (fixtures)
from reader.store import AnnotationStore
from reader.store.backends import open_address
from reader.store.postgres import connect
from reader.store.postgres.schema import current_version
from reader.store.copy import CopyRefused, copy_store

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def project(tmp_path: Path) -> Path:
    """A project coded on real text (the fortunes package when installed): many documents and
    annotations, codebook colours and descriptions, attributes, odd ids and untrusted text."""
    folder = tmp_path / "project"
    store = AnnotationStore(folder, creator="ann")
    fortunes = sorted(Path("/usr/share/games/fortunes").glob("[a-f]*"))
    texts = {
        f"fortunes/{p.name}": p.read_text("utf-8", "replace")[:20_000]
        for p in fortunes
        if p.is_file() and "." not in p.name
    }
    texts["news/2024/odd%name.txt"] = "Ünïcode text — with “quotes”, a tab\tand 中文 too.\x1b[31m"
    # the seeds too: without the fortunes package the project had no `theme/1` to rename
    texts.update({f"seeds/{p.name}": p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))})
    for n, (doc, text) in enumerate(sorted(texts.items())):
        for k in range(0, min(len(text) - 10, 3_000), 700):
            store.add(doc, text, f"{n:064x}", k, k + 9, [f"theme/{k % 3}", "mark"], note=f"note {n}.{k}\nline")
    store.set_tag("mark", color="#ff0000", description="a mark, <b>not markup</b>")
    store.rename_tag("theme/1", "topic/one")
    store.set_attributes("news/2024/odd%name.txt", title="Odd", outlet="Le Monde")
    store.set_attributes("attributes-only.txt", date="2024-01-02")
    store.delete(store.annotations()[0].id)
    return folder


def test_a_folder_copied_to_the_server_and_back_is_the_same_folder(tmp_path, pg_url):
    folder = project(tmp_path)
    before = tree(folder)
    report = copy_store(AnnotationStore(folder), pg_url)
    assert report.annotations == sum(
        len(AnnotationStore(folder).annotations(d)) for d in AnnotationStore(folder).documents()
    )
    assert report.annotations > 3
    server = open_address(pg_url)
    assert server.annotations() == AnnotationStore(folder).annotations()
    back = tmp_path / "back"
    copy_store(server, back)
    assert tree(back) == before
    assert not filecmp.dircmp(folder / "docs", back / "docs").diff_files


def test_a_copy_never_overwrites_a_project(tmp_path, pg_url):
    folder = project(tmp_path)
    copy_store(AnnotationStore(folder), pg_url)
    with pytest.raises(CopyRefused, match="already holds a project"):
        copy_store(AnnotationStore(folder), pg_url)
    with pytest.raises(CopyRefused, match="already holds annotations"):
        copy_store(open_address(pg_url), folder)
    assert open_address(pg_url).annotations() == AnnotationStore(folder).annotations()


def test_a_source_with_an_unreadable_file_is_refused(tmp_path, pg_url):
    folder = project(tmp_path)
    broken = next((folder / "docs").glob("*.json"))
    broken.write_text("{not json")
    with pytest.raises(CopyRefused, match="unreadable"):
        copy_store(AnnotationStore(folder), pg_url)
    with connect(pg_url) as conn:
        assert current_version(conn) == 0  # refused before anything was written


def test_a_client_open_before_the_copy_catches_up_with_it(tmp_path, pg_url):
    from reader.store.postgres.schema import migrate

    with connect(pg_url) as conn:
        migrate(conn)
    early = open_address(pg_url)
    folder = project(tmp_path)
    copy_store(AnnotationStore(folder), pg_url)
    assert early.refresh() == AnnotationStore(folder).documents()
    assert early.annotations() == AnnotationStore(folder).annotations()
    assert early.codebook() == AnnotationStore(folder).codebook()


def test_a_merged_project_with_renames_goes_to_the_server_and_back_as_the_json_store_writes(tmp_path, pg_url):
    """A file still carrying a tag the record renames (another branch's, merged by git): the
    server holds it renamed, with the record, and gives back what the JSON store writes."""
    import json
    import shutil

    folder = tmp_path / "merged"
    store = AnnotationStore(folder, creator="ann")
    text = "one two three four five six"
    store.add("a.txt", text, "0" * 64, 0, 3, ["x"])
    store.rename_tag("x", "y")
    other = store.path_of("b.txt")
    shutil.copytree(folder, tmp_path / "plain")
    AnnotationStore(tmp_path / "plain", creator="bob").add("b.txt", text, "0" * 64, 4, 7, ["y"])
    raw = AnnotationStore(tmp_path / "plain").path_of("b.txt").read_text().replace('"y"', '"x"')
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_text(raw)  # as git leaves bob's file: tagged x
    as_json = tmp_path / "as-json"
    copy_store(AnnotationStore(folder), as_json)
    copy_store(AnnotationStore(folder), pg_url)
    server = open_address(pg_url)
    assert sorted(a.tags for a in server.annotations()) == [("y",), ("y",)]
    back = tmp_path / "back"
    copy_store(server, back)
    assert tree(back) == tree(as_json)
    assert json.loads((back / "codebook.json").read_text())["renames"][0]["from"] == "x"
