"""Corpus discovery and loading, including every kind of bad input the index must survive."""

from __future__ import annotations

import builtins
import codecs
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from index.corpus import Corpus, CorpusError, CorpusFile, UnreadableDocument
from index.document import Document, Skipped

from conftest import SEEDS
from waiting import finishes


@pytest.fixture()
def corpus_dir(tmp_path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(SEEDS, root)
    return root


def ids(files):
    return [f.id for f in files]


def reasons(skipped):
    return {s.id: s.reason for s in skipped}


def test_seeds_are_discovered_sorted_with_stat_data(corpus_dir):
    files, skipped = Corpus(corpus_dir).scan()
    assert ids(files) == sorted(p.name for p in SEEDS.iterdir())
    assert skipped == []
    first = files[0]
    assert isinstance(first, CorpusFile)
    assert first.size == (SEEDS / first.id).stat().st_size
    assert first.mtime_ns == (corpus_dir / first.id).stat().st_mtime_ns
    with pytest.raises(AttributeError):
        first.size = 1  # frozen


def test_recursive_case_insensitive_suffixes_and_hidden_names(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b" / "deep.TXT").write_text("deep")
    (tmp_path / "notes.Md").write_text("# notes")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("hidden")
    (tmp_path / ".git" / "inside.txt").write_text("hidden dir")
    files, skipped = Corpus(tmp_path).scan()
    assert ids(files) == ["a/b/deep.TXT", "notes.Md"]
    assert skipped == []


def test_load_a_seed(corpus_dir):
    corpus = Corpus(corpus_dir)
    doc = corpus.load("002_aa247d70c2f24e11.txt")
    raw = (corpus_dir / "002_aa247d70c2f24e11.txt").read_bytes()
    assert isinstance(doc, Document)
    assert doc.text == raw.decode("utf-8")
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.encoding == "utf-8"
    assert (doc.meta.source, doc.meta.date) == ("Shafaq News", "2024-08-02")
    assert doc.text[doc.paragraphs[0].start : doc.paragraphs[0].end] == doc.meta.title
    assert len(doc.sentences) >= len(doc.paragraphs) > 5


def test_documents_yields_every_seed(corpus_dir):
    docs = list(Corpus(corpus_dir).documents())
    assert [d.id for d in docs] == sorted(p.name for p in SEEDS.iterdir())
    assert all(isinstance(d, Document) for d in docs)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "Titel “x”\n\nKörper.".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "Titel “x”\n\nKörper.".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "Titel “x”\n\nKörper.".encode("utf-16-be"), "utf-16"),
        ("Titel “x”\n\nKörper.".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_load_to_the_same_text(tmp_path, data, encoding):
    (tmp_path / "doc.txt").write_bytes(data)
    doc = Corpus(tmp_path).load("doc.txt")
    assert (doc.text, doc.encoding) == ("Titel “x”\n\nKörper.", encoding)
    assert doc.meta.title == "Titel “x”"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_crlf_file_keeps_its_line_endings_and_offsets(tmp_path):
    (tmp_path / "win.txt").write_bytes(b"Title line\r\n\r\nFirst sentence. Second one.\r\n")
    doc = Corpus(tmp_path).load("win.txt")
    assert doc.text == "Title line\r\n\r\nFirst sentence. Second one.\r\n"
    assert [doc.text[s.start : s.end] for s in doc.sentences] == [
        "Title line",
        "First sentence.",
        "Second one.",
    ]


def test_binary_file_is_skipped_by_documents_with_reason(tmp_path):
    (tmp_path / "good.txt").write_text("Good")
    (tmp_path / "zero.txt").write_bytes(b"")
    (tmp_path / "bin.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00")
    out = list(Corpus(tmp_path).documents())
    assert [type(d).__name__ for d in out] == ["Skipped", "Document", "Skipped"]
    assert out[0].id == "bin.txt" and "binary" in out[0].reason
    assert out[2] == Skipped("zero.txt", "empty file")  # scan skips come in id order too
    with pytest.raises(UnreadableDocument) as err:
        Corpus(tmp_path).load("bin.txt")
    assert err.value.id == "bin.txt" and "binary" in err.value.reason


def test_empty_file_is_skipped(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    files, skipped = Corpus(tmp_path).scan()
    assert files == [] and skipped == [Skipped("empty.txt", "empty file")]
    with pytest.raises(UnreadableDocument, match="empty file"):
        Corpus(tmp_path).load("empty.txt")


def test_too_large_file_is_skipped(tmp_path):
    (tmp_path / "big.txt").write_text("x" * 2000)
    files, skipped = Corpus(tmp_path, max_bytes=1000).scan()
    assert files == []
    assert len(skipped) == 1 and skipped[0].reason.startswith("too large")


def test_symlink_loops_are_reported_not_followed(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "doc.txt").write_text("Doc")
    os.symlink("..", tmp_path / "sub" / "up")  # directory loop
    os.symlink("self.txt", tmp_path / "self.txt")  # a symlink to itself
    os.symlink("missing.txt", tmp_path / "broken.md")
    files, skipped = Corpus(tmp_path).scan()
    assert ids(files) == ["sub/doc.txt"]
    found = reasons(skipped)
    assert found["sub/up/"] == "symlink loop or folder already scanned"
    assert found["self.txt"] == "symlink loop"
    assert "broken symlink" in found["broken.md"]


def test_symlinked_file_and_folder_outside_the_root_are_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "far.txt").write_text("Far away")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "linked")
    os.symlink(outside / "far.txt", root / "alias.txt")
    files, _ = Corpus(root).scan()
    assert ids(files) == ["alias.txt", "linked/far.txt"]
    assert Corpus(root).load("linked/far.txt").text == "Far away"


def test_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    files, skipped = Corpus(tmp_path).scan()
    assert files == [] and skipped == [Skipped("pipe.txt", "not a regular file")]
    with pytest.raises(UnreadableDocument, match="not a regular file"):
        Corpus(tmp_path).load("pipe.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_permission_denied_for_real(tmp_path):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text("a")
    (tmp_path / "secret.txt").write_text("s")
    (tmp_path / "secret.txt").chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        files, skipped = Corpus(tmp_path).scan()
        assert files == []
        assert reasons(skipped) == {
            "locked/": "permission denied",
            "secret.txt": "permission denied",
        }
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_permission_denied_on_load_is_unreadable(tmp_path, monkeypatch):
    (tmp_path / "secret.txt").write_text("secret")
    corpus = Corpus(tmp_path)
    files, _ = corpus.scan()
    real_open = builtins.open

    def deny(file, *args, **kwargs):
        if str(file).endswith("secret.txt"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    with pytest.raises(UnreadableDocument) as err:
        corpus.load(files[0])
    assert err.value.reason == "permission denied"
    assert list(corpus.documents()) == [Skipped("secret.txt", "permission denied")]


def test_permission_denied_in_scan_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "ok.txt").write_text("ok")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: not str(p).endswith("secret.txt") and real_access(p, mode))
    files, skipped = Corpus(tmp_path).scan()
    assert ids(files) == ["ok.txt"]
    assert skipped == [Skipped("secret.txt", "permission denied")]


def test_unlistable_folder_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text("a")
    (tmp_path / "ok.txt").write_text("ok")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, skipped = Corpus(tmp_path).scan()
    assert ids(files) == ["ok.txt"]
    assert skipped == [Skipped("locked/", "permission denied")]


def test_vanished_file_is_unreadable(tmp_path):
    (tmp_path / "gone.txt").write_text("here")
    corpus = Corpus(tmp_path)
    files, _ = corpus.scan()
    (tmp_path / "gone.txt").unlink()
    with pytest.raises(UnreadableDocument, match="file not found"):
        corpus.load(files[0])
    with pytest.raises(UnreadableDocument, match="file not found"):
        corpus.load("gone.txt")


@pytest.mark.parametrize("bad_id", ["../outside.txt", "/etc/passwd", ""])
def test_ids_outside_the_corpus_are_refused(tmp_path, bad_id):
    with pytest.raises(UnreadableDocument, match="not a path inside the corpus"):
        Corpus(tmp_path).load(bad_id)


@pytest.mark.parametrize("odd", ["sub/./a.txt", "sub//a.txt", "./sub/a.txt", "sub/a.txt/"])
def test_ids_pathlib_would_tidy_still_name_their_file(tmp_path, odd):
    # the plain-id fast path of Corpus.file leaves these to pathlib, as before
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("here")
    corpus = Corpus(tmp_path)
    assert corpus.file(odd).path == tmp_path / "sub" / "a.txt"
    assert corpus.file(odd).id == odd


def test_text_is_read_texts_text_without_the_hash(corpus_dir, tmp_path):
    (corpus_dir / "latin.txt").write_bytes(b"caf\xe9 \x93quoted\x94")  # cp1252
    corpus = Corpus(corpus_dir)
    for f in corpus.scan()[0]:
        assert corpus.text(f.id) == corpus.text(f) == corpus.read_text(f.id)[0]
    (corpus_dir / "empty.txt").write_bytes(b"")
    with pytest.raises(UnreadableDocument, match="empty file"):
        corpus.text("empty.txt")
    with pytest.raises(UnreadableDocument, match="not a path inside the corpus"):
        corpus.text("../outside.txt")


def test_missing_root_and_file_root_raise_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        Corpus(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        Corpus(tmp_path / "file.txt")


def test_one_line_file_of_megabytes_loads_without_blowing_up(tmp_path):
    line = "The Nujaba Movement said the U.S. truce has ended, officials said. " * 75_000
    (tmp_path / "long.txt").write_text(line)  # about 5 MB, no newline at all
    doc = finishes(lambda: Corpus(tmp_path).load("long.txt"), "loading a 5 MB line")
    assert len(doc.text) == len(line)
    assert len(doc.paragraphs) == 1 and len(doc.sentences) == 75_000
    assert doc.meta.title == "The Nujaba Movement said the U.S. truce has ended, officials said."


@pytest.mark.parametrize("name", ["003_c50da1745df50ef1.txt", "page.html", "interview.pdf"])
def test_read_text_is_the_text_and_hash_of_a_full_read(corpus_dir, name):
    """read_text skips the metadata (reader agree reads thousands of texts through it) but gives
    exactly what a full read gives, for decoded and extracted files alike."""
    fixtures = Path(__file__).resolve().parent / "fixtures" / "formats"
    if not name.startswith("003"):
        shutil.copy(fixtures / name, corpus_dir / name)
    corpus = Corpus(corpus_dir)
    full = corpus.read(name)
    assert corpus.read_text(name) == (full.text, full.sha256)
    assert full.text
