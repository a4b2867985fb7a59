"""A folder of text files as a corpus: discovery, then loading one file into a Document.

Discovery only stats files (cheap, so an unchanged corpus can be compared with the index
manifest without reading anything); loading reads, hashes, decodes and analyses one file.
Every way a file can be unusable (permission denied, a symlink loop, empty, too large, binary,
vanished since the scan) becomes a `Skipped` or an `UnreadableDocument` with a short reason
for the index report: bad input never crashes or hangs a scan.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from index import formats
from index.decoding import DecodeError, decode
from index.document import Document, DocumentMeta, Position, Skipped
from index.filenames import escaped_id, is_escaped, path_part
from index.metadata import extract_metadata, word_count
from index.structure import paragraphs, sentences

__all__ = ["Corpus", "CorpusError", "CorpusFile", "FileText", "UnreadableDocument", "SUFFIXES"]

SUFFIXES = (".txt", ".md") + formats.SUFFIXES  # PDF, Word, ... are read by index.formats
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class CorpusError(Exception):
    """The corpus root itself is unusable (missing, not a folder)."""


class UnreadableDocument(Exception):
    """One file could not be loaded; `reason` is a short phrase for the index report."""

    def __init__(self, id: str, reason: str) -> None:
        super().__init__(f"{id}: {reason}")
        self.id = id
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """A discovered file: what the index manifest compares to decide what changed."""

    id: str  # posix path relative to the corpus root
    location: str  # its path; a Path made for each of 30,000 files was a third of a scan
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.location)


def _reason(exc: OSError) -> str:
    """A short, stable phrase for an OS error."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file not found (removed or a broken symlink)"
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return exc.strerror or type(exc).__name__


@dataclass(frozen=True)
class FileText:
    """One file read: its text, document hash, encoding (or extractor), metadata, positions."""

    data: bytes
    text: str
    sha256: str
    encoding: str
    meta: DocumentMeta
    positions: tuple[Position, ...] = ()


class Corpus:
    """The documents under `root`, recursively; hidden names are ignored.

    `.txt`/`.md` files are decoded; the other formats (index.formats) are extracted, the
    extracted text kept in `extract_cache` (beside the index) when one is given.
    """

    def __init__(
        self,
        root: Path | str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        extract_cache: Path | str | None = None,
    ) -> None:
        root = Path(root).expanduser()
        if not root.exists():
            raise CorpusError(f"corpus folder does not exist: {root}")
        if not root.is_dir():
            raise CorpusError(f"corpus path is not a folder: {root}")
        self.root = root.resolve()
        self.max_bytes = max_bytes
        from index.formats.cache import ExtractCache

        self.extract_cache = ExtractCache(extract_cache) if extract_cache is not None else None

    def __repr__(self) -> str:
        return f"Corpus({str(self.root)!r})"

    # --- discovery -------------------------------------------------------------------------

    def scan(self) -> tuple[list[CorpusFile], list[Skipped]]:
        """All corpus files sorted by id, and what was left out with reasons (sorted by id).

        Symlinks are followed, but each directory is entered once (by device and inode), so a
        loop or a second route to a folder is reported instead of walked forever. Traversal is
        sorted and depth-first (os.walk's order), so which route wins is deterministic.

        This runs on every open of the corpus (30,000 files at 300 MB), so each file costs one
        `stat` and one `access` and no path object: the folder's entries come from `scandir`
        (which knows what is a folder or a link without a call), a file's id is its folder's id
        and its name joined as strings.
        """
        files: list[CorpusFile] = []
        skipped: list[Skipped] = []
        root = str(self.root)
        root_stat = os.stat(root)
        seen = {(root_stat.st_dev, root_stat.st_ino)}
        max_bytes = self.max_bytes
        folders = [(root, "")]  # (path, its id prefix: "" or "a/b/"), a stack
        while folders:
            folder, rel = folders.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError as exc:
                skipped.append(Skipped(self._id(folder) + "/", _reason(exc)))
                continue
            subfolders = []
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:  # as os.walk: what cannot be stat'ed is not a folder
                    is_dir = False
                if is_dir:
                    subfolders.append(name)
                    continue
                # Nearly every file: a wanted name, a readable regular file, a UTF-8 path.
                path = entry.path
                if name.lower().endswith(SUFFIXES) and not is_escaped(path):
                    try:
                        st = entry.stat()
                    except OSError:
                        st = None
                    if (
                        st is not None
                        and stat.S_ISREG(st.st_mode)
                        and 0 < st.st_size <= max_bytes
                        and os.access(path, os.R_OK)
                    ):
                        files.append(CorpusFile(rel + name, path, st.st_size, st.st_mtime_ns))
                        continue
                self._consider(entry, rel, files, skipped)  # says why it is left out
            kept = []
            for name in sorted(subfolders):
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError as exc:
                    skipped.append(Skipped(escaped_id(rel + name) + "/", _reason(exc)))
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    skipped.append(Skipped(escaped_id(rel + name) + "/", "symlink loop or folder already scanned"))
                    continue
                seen.add(key)
                kept.append((path, rel + name + "/"))
            folders.extend(reversed(kept))
        files.sort(key=lambda f: f.id)
        files = _without_id_clashes(files, skipped)
        skipped.sort(key=lambda s: s.id)
        return files, skipped

    def _consider(self, entry: os.DirEntry, rel: str, files: list[CorpusFile], skipped: list[Skipped]) -> None:
        """A file that is not plainly a document: a symlink, a name that is not UTF-8, an
        unreadable or odd file; added to `files` or `skipped` (with the reason), or ignored."""
        name = entry.name
        wanted = name.lower().endswith(SUFFIXES)
        if not wanted and not entry.is_symlink():
            return
        path = entry.path
        id = escaped_id(rel + name)
        try:
            st = entry.stat()
        except OSError as exc:
            # A self-referencing or dangling symlink shows up as a file whatever its name.
            if wanted or exc.errno == errno.ELOOP:
                skipped.append(Skipped(id, _reason(exc)))
            return
        if not wanted:
            return
        problem = self._problem(st)
        if problem is None and is_escaped(path) and self._path_of_escaped(id) != path:
            problem = "file name is not UTF-8 and contains '%' (its id would be ambiguous)"
        if problem is None and not os.access(path, os.R_OK):
            problem = "permission denied"
        if problem:
            skipped.append(Skipped(id, problem))
        else:
            files.append(CorpusFile(id, path, st.st_size, st.st_mtime_ns))

    def _problem(self, st: os.stat_result) -> str | None:
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        if st.st_size == 0:
            return "empty file"
        if st.st_size > self.max_bytes:
            return f"too large ({_mb(st.st_size)} > limit {_mb(self.max_bytes)})"
        return None

    def _id(self, path: str | bytes) -> str:
        """The id of a path under the root; bytes that are not UTF-8 escaped (index/filenames)."""
        # String slicing, not pathlib: this runs once per file on every open of the corpus.
        text = os.fsdecode(path)
        prefix = str(self.root) + os.sep
        if text.startswith(prefix):
            rel = text[len(prefix) :]
            rel = rel.replace(os.sep, "/") if os.sep != "/" else rel
        else:
            rel = Path(text).relative_to(self.root).as_posix()
        return escaped_id(rel)

    def _path_of_escaped(self, id: str) -> str | None:
        """The path an id with `%HH` escapes stands for (see index/filenames.py)."""
        raw = path_part(id)
        return None if raw is None else os.path.join(self.root, *raw.split("/"))

    # --- loading ---------------------------------------------------------------------------

    def file(self, id: str) -> CorpusFile:
        """The CorpusFile for an id, from the disk now; raises UnreadableDocument."""
        parts = id.split("/")
        if id.startswith("/") or "" in parts or "." in parts or ".." in parts:  # pathlib's rules
            rel = PurePosixPath(id)
            if rel.is_absolute() or ".." in rel.parts or not rel.parts:
                raise UnreadableDocument(id, "not a path inside the corpus")
            parts = list(rel.parts)
        # joined as strings: pathlib's parsing was a tenth of reading 2,501 short documents
        path: Path | str = os.path.join(self.root, *parts)
        try:
            st = os.stat(path)
        except FileNotFoundError as exc:
            # Not a literal name: perhaps the escaped id of a name that is not UTF-8.
            escaped = self._path_of_escaped(id)
            if escaped is None:
                raise UnreadableDocument(id, _reason(exc)) from None
            path = escaped
            try:
                st = os.stat(path)
            except OSError as exc:
                raise UnreadableDocument(id, _reason(exc)) from None
        except OSError as exc:
            raise UnreadableDocument(id, _reason(exc)) from None
        problem = self._problem(st)
        if problem:
            raise UnreadableDocument(id, problem)
        return CorpusFile(id, os.fspath(path), st.st_size, st.st_mtime_ns)

    def load(self, file: CorpusFile | str) -> Document:
        """Read, hash, decode and analyse one file; raises UnreadableDocument."""
        if isinstance(file, str):
            file = self.file(file)
        read = self._read(file)
        return Document(
            id=file.id,
            path=file.path,
            text=read.text,
            sha256=read.sha256,
            encoding=read.encoding,
            meta=read.meta,
            paragraphs=paragraphs(read.text),
            sentences=sentences(read.text),
            positions=read.positions,
        )

    def read_for_index(self, file: CorpusFile | str) -> tuple[str, str, str, DocumentMeta]:
        """`(text, sha256, encoding, meta)` of one file: what indexing needs, nothing more.

        The same reading, checks, decoding, hash and metadata as `load` (same exceptions), but
        without the paragraph and sentence structure, which indexing does not use and which
        cost a fifth of a full build.
        """
        if isinstance(file, str):
            file = self.file(file)
        read = self._read(file)
        return read.text, read.sha256, read.encoding, read.meta

    def read_text(self, file: CorpusFile | str) -> tuple[str, str]:
        """`(text, sha256)` of a document as on disk now: the one way to get a document's text
        without its structure (snippets, analytics); raises UnreadableDocument."""
        if isinstance(file, str):
            file = self.file(file)
        # no metadata: its title, date and word count cost twice the reading itself (a study
        # of 2,501 documents in `reader agree` spent 2.2 s of 3.0 s on them)
        if formats.is_extracted(file.id):
            extracted, sha256, _ = self._extract(file)
            return extracted.text, sha256
        data, text, _ = self._read_decoded(file)
        return text, hashlib.sha256(data).hexdigest()

    def text(self, file: CorpusFile | str) -> str:
        """A document's text as on disk now, as `read_text` gives it, without the hash (what
        `reader agree` needs of every coded document: lengths and quotes); raises
        UnreadableDocument."""
        if isinstance(file, str):
            file = self.file(file)
        if formats.is_extracted(file.id):
            return self._extract(file)[0].text
        return self._read_decoded(file)[1]

    def read(self, file: CorpusFile | str) -> FileText:
        """Text, document hash, metadata and positions of one file, without its structure;
        raises UnreadableDocument."""
        return self._read(self.file(file) if isinstance(file, str) else file)

    def _read(self, file: CorpusFile) -> FileText:
        if formats.is_extracted(file.id):
            return self._read_extracted(file)
        data, text, encoding = self._read_decoded(file)
        meta = extract_metadata(text, fallback_title=PurePosixPath(file.id).stem)
        return FileText(data, text, hashlib.sha256(data).hexdigest(), encoding, meta)

    def _read_extracted(self, file: CorpusFile) -> FileText:
        data = self._read_bytes(file)
        extracted, sha256, extractor = self._extract(file, data)
        meta = DocumentMeta(
            title=extracted.title or PurePosixPath(file.id).stem,
            source=extracted.source or extracted.author,
            date=extracted.date,
            word_count=word_count(extracted.text),
            duration=extracted.extra.get("duration"),
            ocr_pages=tuple(extracted.extra.get("ocr_pages") or ()),
        )
        return FileText(data, extracted.text, sha256, extractor, meta, extracted.positions)

    def _extract(self, file: CorpusFile, data: bytes | None = None):
        """`(extracted, document hash, extractor)` of a file read by an extractor; raises
        UnreadableDocument."""
        from index.formats.source import extracted_text

        data = self._read_bytes(file) if data is None else data
        try:
            return extracted_text(file.id, data, self.extract_cache)
        except formats.ExtractionError as exc:
            raise UnreadableDocument(file.id, exc.reason) from None

    def _read_decoded(self, file: CorpusFile) -> tuple[bytes, str, str]:
        """The raw bytes, the decoded text and the encoding name; raises UnreadableDocument."""
        data = self._read_bytes(file)
        try:
            text, encoding = decode(data)
        except DecodeError as exc:
            raise UnreadableDocument(file.id, exc.reason) from None
        return data, text, encoding

    def _read_bytes(self, file: CorpusFile) -> bytes:
        try:
            with open(file.location, "rb") as handle:
                data = handle.read(self.max_bytes + 1)
        except OSError as exc:
            raise UnreadableDocument(file.id, _reason(exc)) from None
        if not data:
            raise UnreadableDocument(file.id, "empty file")
        if len(data) > self.max_bytes:
            raise UnreadableDocument(file.id, f"too large (> limit {_mb(self.max_bytes)})")
        return data

    def documents(self) -> Iterator[Document | Skipped]:
        """Every file loaded, scan and load failures as Skipped, all in id order (lazily)."""
        files, skipped = self.scan()
        pending = list(reversed(skipped))
        for file in files:
            while pending and pending[-1].id < file.id:
                yield pending.pop()
            try:
                yield self.load(file)
            except UnreadableDocument as exc:
                yield Skipped(exc.id, exc.reason)
        yield from reversed(pending)


def _without_id_clashes(files: list[CorpusFile], skipped: list[Skipped]) -> list[CorpusFile]:
    """`files` (sorted by id) with a non-UTF-8 name dropped, and reported, where its escaped
    id is also the literal name of another file: the literal name keeps the id."""
    kept: list[CorpusFile] = []
    for file in files:
        if kept and kept[-1].id == file.id:
            loser = file if is_escaped(file.location) else kept[-1]
            if loser is kept[-1]:
                kept[-1] = file
            skipped.append(Skipped(file.id, "file name is not UTF-8 and its escaped form names another file"))
            continue
        kept.append(file)
    return kept


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
