"""Alignment quality and speed on pairs built from real text: a document against an edited copy.

Source texts, first available: the Linux kernel documentation sources under
``bench/data/linux-doc`` (or ``$READER_BENCH_DATA/linux-doc``; ``python bench/corpora.py
linux-doc``), else the seeds. Each document
is copied with deterministic edits (a seeded generator per document):

* reword half the paragraphs: words swapped for synonyms, some words dropped, sometimes the last
  sentence dropped;
* delete about 10% of the paragraphs;
* split about 7% of the paragraphs in two at a sentence boundary, join about 5% with the next
  (1:2 and 2:1 correspondences);
* move about 10% of the paragraphs elsewhere, in runs of one to three;
* insert boilerplate paragraphs (share buttons, cookie notices) that correspond to nothing.

The truth is the set of (paragraph of A, paragraph of B) links the edits imply; an alignment's
links are every (A paragraph, B paragraph) overlapped by one of its pairs (sentence pairs count
for the paragraphs that hold them). Precision = right links / links given, recall = right links
/ true links; paragraphs without a word (reST underlines, rules) are left out of both.

Speed: `align` on two ~50 KB documents (an original and its edited copy, and two unrelated
documents, the worst case, where every paragraph goes to the sentence pass).

Usage::

    python bench/bench_align.py [--docs N] [--seed S]

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from index.corpus import Corpus  # noqa: E402
from index.document import Document, DocumentMeta, Span  # noqa: E402
from index.structure import paragraphs, sentences  # noqa: E402
from reader.align import Alignment, align  # noqa: E402

import corpora  # noqa: E402  (bench/corpora.py: where the data is, READER_BENCH_DATA included)

LINUX_DOC = corpora.LINUX_DOC_DIR
SEEDS = REPO / "seeds"

SYNONYMS = {
    "use": "employ",
    "used": "employed",
    "uses": "employs",
    "show": "display",
    "shows": "displays",
    "large": "big",
    "small": "little",
    "fast": "quick",
    "quickly": "rapidly",
    "start": "begin",
    "starts": "begins",
    "end": "finish",
    "make": "create",
    "makes": "creates",
    "need": "require",
    "needs": "requires",
    "allow": "permit",
    "allows": "permits",
    "help": "assist",
    "get": "obtain",
    "gets": "obtains",
    "find": "locate",
    "change": "modify",
    "changes": "modifies",
    "give": "provide",
    "gives": "provides",
    "important": "significant",
    "enough": "sufficient",
    "often": "frequently",
    "also": "additionally",
    "about": "regarding",
    "because": "since",
    "but": "however",
    "however": "nevertheless",
    "many": "numerous",
    "must": "has to",
    "should": "ought to",
    "said": "stated",
    "says": "states",
    "told": "informed",
    "began": "commenced",
    "ended": "concluded",
    "close": "near",
    "soon": "shortly",
    "number": "count",
    "example": "instance",
    "problem": "issue",
    "problems": "issues",
    "way": "manner",
    "part": "portion",
    "whole": "entire",
    "main": "principal",
    "simple": "straightforward",
    "possible": "feasible",
    "different": "distinct",
    "each": "every",
    "run": "execute",
    "runs": "executes",
    "stop": "halt",
    "keep": "retain",
    "check": "verify",
    "try": "attempt",
    "want": "wish",
    "call": "invoke",
    "calls": "invokes",
    "send": "transmit",
    "information": "details",
    "currently": "presently",
    "first": "initial",
    "last": "final",
    "increase": "raise",
    "reduce": "lower",
    "attack": "assault",
    "forces": "troops",
    "talks": "negotiations",
}

BOILERPLATE = [
    "Share this article: Facebook Twitter LinkedIn Email",
    "This site uses cookies to improve your experience. By continuing to browse you agree to our "
    "use of cookies and our privacy policy.",
    "Subscribe to our newsletter for the latest updates delivered straight to your inbox every week.",
    "Leave a Reply. Your email address will not be published. Required fields are marked *",
    "Copyright © All rights reserved. Reproduction without permission is prohibited.",
    "Advertisement - scroll to continue reading",
]

_WORD = re.compile(r"\w+")


@dataclass
class Constructed:
    """An original, its edited copy, and the true links between their paragraphs."""

    a: Document
    b: Document
    truth: set[tuple[int, int]]  # (index into a.paragraphs, index into b.paragraphs)


def make_document(doc_id: str, text: str) -> Document:
    """A Document from text alone (no file), with its paragraphs and sentences."""
    return Document(doc_id, Path(doc_id), text, "", "utf-8", DocumentMeta(doc_id), paragraphs(text), sentences(text))


def _reword(text: str, rng: random.Random) -> str:
    def swap(match: re.Match) -> str:
        word = match.group()
        synonym = SYNONYMS.get(word.lower())
        if synonym and rng.random() < 0.6:
            return synonym.capitalize() if word[0].isupper() else synonym
        if rng.random() < 0.08:
            return ""
        return word

    out = _WORD.sub(swap, text)
    spans = sentences(out)
    if len(spans) >= 3 and rng.random() < 0.3:
        out = out[: spans[-1].start].rstrip()
    return re.sub(r"[ \t]{2,}", " ", out)


def edited_copy(doc: Document, seed: int) -> Constructed:
    """`doc` against a deterministically edited copy of it (see the module docstring)."""
    rng = random.Random(seed)
    text = doc.text
    # units: (text, origins) where origins are indices of doc.paragraphs
    units: list[tuple[str, frozenset[int]]] = [
        (text[p.start : p.end], frozenset({i})) for i, p in enumerate(doc.paragraphs)
    ]
    n = len(units)
    units = [u for u in units if rng.random() >= 0.10] if n > 5 else units
    units = [(_reword(t, rng), o) if rng.random() < 0.5 else (t, o) for t, o in units]
    split: list[tuple[str, frozenset[int]]] = []
    for t, o in units:
        spans = sentences(t)
        if len(spans) >= 2 and rng.random() < 0.07:
            cut = spans[len(spans) // 2].start
            split += [(t[:cut].rstrip(), o), (t[cut:], o)]
        else:
            split.append((t, o))
    units = []
    k = 0
    while k < len(split):
        if k + 1 < len(split) and rng.random() < 0.05:
            units.append((split[k][0] + " " + split[k + 1][0], split[k][1] | split[k + 1][1]))
            k += 2
        else:
            units.append(split[k])
            k += 1
    for _ in range(max(1, len(units) // 10 // 2)):
        size = rng.randint(1, 3)
        if len(units) <= size + 1:
            break
        at = rng.randrange(len(units) - size)
        run = units[at : at + size]
        del units[at : at + size]
        to = rng.randrange(len(units) + 1)
        units[to:to] = run
    for line in rng.sample(BOILERPLATE, 3):
        units.insert(rng.randrange(len(units) + 1), (line, frozenset()))

    pieces: list[str] = []
    bounds: list[tuple[int, int, frozenset[int]]] = []
    offset = 0
    for t, o in units:
        if pieces:
            pieces.append("\n\n")
            offset += 2
        pieces.append(t)
        bounds.append((offset, offset + len(t), o))
        offset += len(t)
    b = make_document(doc.id + "~edited", "".join(pieces))
    truth: set[tuple[int, int]] = set()
    starts = [s for s, _, _ in bounds]
    import bisect

    for j, p in enumerate(b.paragraphs):
        unit = bounds[bisect.bisect_right(starts, p.start) - 1]
        for i in unit[2]:
            if _has_words(doc.text, doc.paragraphs[i]) and _has_words(b.text, p):
                truth.add((i, j))
    return Constructed(doc, b, truth)


def _has_words(text: str, span: Span) -> bool:
    return bool(re.search(r"[^\W\d_]{2}", text[span.start : span.end]))


def links(alignment: Alignment, a: Document, b: Document) -> set[tuple[int, int]]:
    """(A paragraph, B paragraph) for every paragraph pair a pair of the alignment overlaps."""

    def covered(spans, span):
        return [k for k, p in enumerate(spans) if p.start < span.end and span.start < p.end]

    out: set[tuple[int, int]] = set()
    for pair in alignment.pairs:
        if pair.a is None or pair.b is None:
            continue
        for i in covered(a.paragraphs, pair.a):
            if not _has_words(a.text, a.paragraphs[i]):
                continue
            for j in covered(b.paragraphs, pair.b):
                if _has_words(b.text, b.paragraphs[j]):
                    out.add((i, j))
    return out


def score(c: Constructed, alignment: Alignment) -> tuple[int, int, int]:
    """(right links, links given, true links)."""
    got = links(alignment, c.a, c.b)
    return len(got & c.truth), len(got), len(c.truth)


def source_documents(limit: int) -> tuple[str, list[Document]]:
    """Up to `limit` real documents of 3-60 KB with at least 8 paragraphs, deterministic."""
    root = LINUX_DOC if LINUX_DOC.is_dir() else SEEDS
    corpus = Corpus(root)
    files, _ = corpus.scan()
    files = [f for f in files if 3_000 <= f.size <= 60_000] or files
    rng = random.Random(7)
    rng.shuffle(files)
    docs: list[Document] = []
    for f in files:
        try:
            d = corpus.load(f)
        except Exception:
            continue
        if len(d.paragraphs) >= 8 or root == SEEDS:
            docs.append(d)
        if len(docs) >= limit:
            break
    return ("linux-doc 6.1 reST sources" if root == LINUX_DOC else "seeds"), docs


def fifty_kb(docs: list[Document], rng: random.Random) -> Document:
    """About 50 KB of real text: consecutive real documents joined."""
    parts, size = [], 0
    for d in rng.sample(docs, len(docs)):
        parts.append(d.text)
        size += len(d.text)
        if size >= 50_000:
            break
    return make_document("50k", "\n\n".join(parts)[:52_000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    name, docs = source_documents(args.docs)
    right = given = true = 0
    per_doc: list[float] = []
    seconds: list[float] = []
    for n, d in enumerate(docs):
        c = edited_copy(d, args.seed * 100_003 + n)
        started = time.perf_counter()
        alignment = align(c.a, c.b)
        seconds.append(time.perf_counter() - started)
        r, g, t = score(c, alignment)
        right, given, true = right + r, given + g, true + t
        per_doc.append(r / t if t else 1.0)
    precision = right / given if given else 0.0
    recall = right / true if true else 0.0

    rng = random.Random(args.seed)
    big = [fifty_kb(docs, rng) for _ in range(5)]
    same, unrelated = [], []
    for k, d in enumerate(big):
        c = edited_copy(d, k)
        started = time.perf_counter()
        align(c.a, c.b)
        same.append(time.perf_counter() - started)
        started = time.perf_counter()
        align(d, big[(k + 1) % len(big)])
        unrelated.append(time.perf_counter() - started)

    print(f"Alignment on {len(docs)} documents of {name} against edited copies (seed {args.seed})\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| pairs of documents | {len(docs)} |")
    print(f"| true paragraph links | {true} |")
    print(f"| precision (links) | {precision:.3f} |")
    print(f"| recall (links) | {recall:.3f} |")
    print(f"| median per-document recall | {statistics.median(per_doc):.3f} |")
    print(f"| worst per-document recall | {min(per_doc):.3f} |")
    print(
        f"| align time per pair, median / max | {statistics.median(seconds) * 1000:.0f} ms / "
        f"{max(seconds) * 1000:.0f} ms |"
    )
    print(
        f"| 50 KB vs its edited copy, median / max (5 runs) | {statistics.median(same) * 1000:.0f} ms"
        f" / {max(same) * 1000:.0f} ms |"
    )
    print(
        f"| 50 KB vs unrelated 50 KB, median / max (5 runs) | "
        f"{statistics.median(unrelated) * 1000:.0f} ms / {max(unrelated) * 1000:.0f} ms |"
    )


if __name__ == "__main__":
    main()
