"""Benchmark corpora built from real text written by others, installable here.

Two corpora, both under ``bench/data/`` (gitignored):

``linux-doc``
    The reStructuredText sources of the Linux kernel documentation as shipped in Debian's
    ``linux-doc-6.1`` package (``usr/share/doc/linux-doc-6.1/html/_sources/``): about 3,200
    ``.txt`` files, 24 MB, folder structure kept. The package is fetched with
    ``apt-get download`` into a temporary folder and unpacked with ``dpkg-deb -x``: nothing is
    installed system-wide. Files shipped compressed (``*.gz``) are decompressed; any source not
    already ending in ``.txt`` gets the suffix added so the corpus discovery picks it up.

``scale100``
    About 10,000 documents totalling about 100 MB, made by recombining the real paragraphs of
    linux-doc: a seeded random generator picks, for each document, a real section heading as its
    title and a run of paragraphs drawn from the whole corpus, so every document differs while
    the vocabulary, paragraph shapes and languages stay those of the real corpus. Deterministic:
    the same seed gives byte-identical files.

``scale300`` and ``scale1000`` (issue 19)
    The same recipe at the sizes a project's corpus grows to: 30,000 documents, about 300 MB,
    and about 100,000 documents, about 1 GB (each its own seed; the vocabulary stays that of
    linux-doc, so postings grow with the size while the number of terms does not). Built only
    when asked for by name (``all`` stays the two small ones): 1 GB takes minutes to write.

Both steps are idempotent: a marker file records what was built, and a second run does nothing.
The data goes to ``bench/data/`` unless ``READER_BENCH_DATA`` names another folder (a big
corpus under /tmp keeps it out of the work tree). linux-doc is copied from the installed
package when ``/usr/share/doc/linux-doc-6.1`` is there, else downloaded.

Usage::

    python bench/corpora.py [linux-doc|scale100|scale300|scale1000|all]  # default: all
    python bench/corpora.py scale100 --force               # rebuild even if present
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("READER_BENCH_DATA") or BENCH_DIR / "data")
PACKAGE = "linux-doc-6.1"
SOURCES_IN_PACKAGE = Path("usr/share/doc/linux-doc-6.1/html/_sources")
INSTALLED_SOURCES = Path("/") / SOURCES_IN_PACKAGE

LINUX_DOC_DIR = DATA_DIR / "linux-doc"
SCALE100_DIR = DATA_DIR / "scale100"
MARKER = ".corpus-built.json"

SCALE_SEED = 20240802
SCALE_DOCS = 10_000
SCALE_BYTES = 100_000_000
SCALE_FORMAT = 2  # bump when the recombination recipe changes: forces a rebuild

# name: (seed, documents, bytes); scale100's recipe is the one above, byte for byte
SCALES = {
    "scale100": (SCALE_SEED, SCALE_DOCS, SCALE_BYTES),
    "scale300": (20261201, 30_000, 300_000_000),
    "scale1000": (20261202, 100_000, 1_000_000_000),
}

CORPORA = ("linux-doc", "scale100")  # what `all` builds
BIG_CORPORA = ("scale300", "scale1000")  # built only by name


def log(message: str) -> None:
    print(f"[corpora] {message}", file=sys.stderr, flush=True)


def _read_marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_marker(folder: Path, info: dict) -> None:
    (folder / MARKER).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def corpus_dir(name: str) -> Path:
    return LINUX_DOC_DIR if name == "linux-doc" else DATA_DIR / name


def corpus_files(root: Path) -> list[Path]:
    """The corpus's text files in a stable order (the marker file is not part of the corpus)."""
    return sorted(p for p in root.rglob("*.txt") if p.is_file())


# --------------------------------------------------------------------------- linux-doc


def _download_deb(workdir: Path) -> Path:
    """`apt-get download` the package into workdir; `apt-get update` once and retry on failure."""

    def attempt() -> subprocess.CompletedProcess:
        return subprocess.run(["apt-get", "download", PACKAGE], cwd=workdir, capture_output=True, text=True)

    result = attempt()
    if result.returncode != 0:
        log("apt-get download failed; running apt-get update and retrying")
        subprocess.run(["apt-get", "update"], capture_output=True, text=True)
        result = attempt()
    debs = sorted(workdir.glob(f"{PACKAGE}_*.deb"))
    if result.returncode != 0 or not debs:
        raise SystemExit(f"could not download {PACKAGE} with apt-get:\n{result.stdout}\n{result.stderr}")
    return debs[0]


def build_linux_doc(force: bool = False) -> Path:
    marker = _read_marker(LINUX_DOC_DIR)
    if marker and not force:
        log(f"linux-doc already built: {marker['files']} files, {marker['bytes'] / 1e6:.1f} MB")
        return LINUX_DOC_DIR
    if LINUX_DOC_DIR.exists():
        shutil.rmtree(LINUX_DOC_DIR)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        tmpdir = Path(tmp)
        if INSTALLED_SOURCES.is_dir():
            sources = INSTALLED_SOURCES
            version = _installed_version()
            log(f"copying the installed {PACKAGE} {version} from {sources}")
        else:
            deb = _download_deb(tmpdir)
            log(f"downloaded {deb.name} ({deb.stat().st_size / 1e6:.1f} MB); unpacking")
            unpacked = tmpdir / "x"
            subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
            sources = unpacked / SOURCES_IN_PACKAGE
            version = deb.name.split("_")[1]
        if not sources.is_dir():
            raise SystemExit(f"{PACKAGE} has no {SOURCES_IN_PACKAGE}")
        files = total = decompressed = renamed = 0
        for src in sorted(sources.rglob("*")):
            if not src.is_file() or src.is_symlink():
                continue
            rel = src.relative_to(sources)
            data = src.read_bytes()
            if rel.suffix == ".gz":
                data = gzip.decompress(data)
                rel = rel.with_suffix("")
                decompressed += 1
            if rel.suffix != ".txt":
                rel = rel.with_name(rel.name + ".txt")
                renamed += 1
            dest = LINUX_DOC_DIR / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            files += 1
            total += len(data)
    _write_marker(
        LINUX_DOC_DIR,
        {
            "package": PACKAGE,
            "version": version,
            "files": files,
            "bytes": total,
            "decompressed": decompressed,
            "renamed": renamed,
        },
    )
    log(
        f"linux-doc built: {files} files, {total / 1e6:.1f} MB "
        f"({decompressed} decompressed, {renamed} renamed) in {LINUX_DOC_DIR}"
    )
    return LINUX_DOC_DIR


def _installed_version() -> str:
    result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", PACKAGE], capture_output=True, text=True)
    return result.stdout.strip() or "installed"


# --------------------------------------------------------------------------- scale100 and up

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")


def _paragraphs_and_headings(root: Path) -> tuple[list[str], list[str]]:
    """Split every file of the corpus into paragraphs (blank-line separated) and headings."""
    paragraphs: list[str] = []
    headings: list[str] = []
    for path in corpus_files(root):
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        for para in _BLANK_LINES.split(text):
            para = para.strip("\n")
            if not para.strip():
                continue
            lines = para.split("\n")
            # A reST section title: a text line followed (and maybe preceded) by an underline.
            if 2 <= len(lines) <= 3 and _UNDERLINE.match(lines[-1]):
                title = lines[-2].strip()
                if title and not _UNDERLINE.match(title) and len(title) <= 100:
                    headings.append(title)
                continue
            if len(para) > 20_000:  # a few huge tables: keep documents made of ordinary paragraphs
                continue
            paragraphs.append(para)
    return paragraphs, headings


def _document_sizes(rng: random.Random, count: int, total: int) -> list[int]:
    """Log-normal document sizes (many short, a few long, like real corpora) summing to ~total."""
    raw = [rng.lognormvariate(0.0, 0.8) for _ in range(count)]
    scale = total / sum(raw)
    return [max(400, int(r * scale)) for r in raw]


def build_scale(name: str, force: bool = False) -> Path:
    """Recombine linux-doc's paragraphs into the documents of corpus `name` (see SCALES)."""
    seed, docs, target = SCALES[name]
    folder = corpus_dir(name)
    recipe = {"seed": seed, "docs": docs, "target_bytes": target, "format": SCALE_FORMAT}
    marker = _read_marker(folder)
    if marker and not force and all(marker.get(k) == v for k, v in recipe.items()):
        log(f"{name} already built: {marker['files']} files, {marker['bytes'] / 1e6:.1f} MB")
        return folder
    source = build_linux_doc()
    if folder.exists():
        shutil.rmtree(folder)
    paragraphs, headings = _paragraphs_and_headings(source)
    log(f"recombining {len(paragraphs)} paragraphs and {len(headings)} headings into {docs} documents")
    rng = random.Random(seed)
    sizes = _document_sizes(rng, docs, target)
    total = 0
    for number, size in enumerate(sizes):
        title = rng.choice(headings)
        parts = [title + "\n" + "=" * len(title)]
        length = len(title) * 2 + 4
        # Runs of consecutive paragraphs from random places read like real sections; several
        # runs per document make every document different.
        while length < size:
            start = rng.randrange(len(paragraphs))
            run = rng.randint(1, 6)
            for para in paragraphs[start : start + run]:
                parts.append(para)
                length += len(para.encode("utf-8")) + 2
                if length >= size:
                    break
        data = ("\n\n".join(parts) + "\n").encode("utf-8")
        dest = folder / f"{number // 100:03d}" / f"doc-{number:05d}.txt"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        total += len(data)
        if number and number % 10_000 == 0:
            log(f"{name}: {number:,} documents, {total / 1e6:.0f} MB")
    _write_marker(folder, {**recipe, "files": len(sizes), "bytes": total, "source_paragraphs": len(paragraphs)})
    log(f"{name} built: {len(sizes)} files, {total / 1e6:.1f} MB in {folder}")
    return folder


def build_scale100(force: bool = False) -> Path:
    return build_scale("scale100", force)


def ensure(name: str, force: bool = False) -> Path:
    """Build corpus `name` if needed and return its root folder."""
    if name == "linux-doc":
        return build_linux_doc(force=force)
    return build_scale(name, force=force)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default="all", choices=[*CORPORA, *BIG_CORPORA, "all"])
    parser.add_argument("--force", action="store_true", help="rebuild even if already built")
    args = parser.parse_args(argv)
    names = CORPORA if args.corpus == "all" else (args.corpus,)
    for name in names:
        print(ensure(name, force=args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
