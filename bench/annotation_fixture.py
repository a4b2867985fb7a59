"""A project's worth of annotations over a benchmark corpus: the fixture of the store, export
and app benches at scale (issue 19).

`make_annotations(corpus_root, folder, count)` tags `count` passages (default 100,000) of the
corpus's documents through the store's own API (`add_many`, one change per batch of
documents, so every file is one the store wrote itself). Passages start at a word and run to
the end of the sentence or 20 to 300 characters; each carries one or two of 36 tags in three
families (`actor/`, `event/`, `place/`), a note on one in five, and one of three coders, so the
codebook, the tag counts, the coders and the notes look like a real project's. Seeded: the
same corpus and count give the same passages (ids and times differ).

Annotations are spread over the documents in order, `per_doc` each (count / documents,
rounded up), so 100,000 annotations over the 10,000 documents of scale100 are 10 per
document, and over fewer documents more per file.

    python bench/annotation_fixture.py CORPUS ANNOTATIONS [--count 100000]

The folder is written once and reused: a marker records the recipe (`ensure`).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.corpus import Corpus  # noqa: E402
from reader.store import AnnotationStore, NewAnnotation  # noqa: E402

SEED = 19
TAGS = [
    f"{family}/{name}"
    for family in ("actor", "event", "place")
    for name in ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu")
]
CODERS = ("ana", "bo", "chen")
BATCH_DOCS = 500
MARKER = ".fixture.json"
_SENTENCE_END = re.compile(r"[.!?](\s|$)")
_WORD_START = re.compile(r"(?<!\w)\w")


def _passage(rng: random.Random, text: str) -> tuple[int, int] | None:
    """A passage of `text`: from a word's start to the end of its sentence (20 to 300 chars)."""
    if len(text) < 40:
        return None
    for _ in range(5):
        start = rng.randrange(0, len(text) - 20)
        word = _WORD_START.search(text, start)
        if word is None:
            continue
        start = word.start()
        stop = _SENTENCE_END.search(text, start + 20, start + 300)
        end = stop.start() + 1 if stop else min(len(text), start + rng.randint(20, 300))
        if end - start >= 3 and text[start:end].strip():
            return start, end
    return None


def make_annotations(corpus_root: Path, folder: Path, count: int = 100_000, progress: bool = True) -> int:
    """Tag `count` passages of the corpus at `corpus_root` into the store at `folder`."""
    corpus = Corpus(corpus_root)
    files, _skipped = corpus.scan()
    files.sort(key=lambda f: f.id)
    per_doc = max(1, -(-count // max(1, len(files))))
    rng = random.Random(SEED)
    store = AnnotationStore(folder, creator=CODERS[0])  # each item names its own coder
    made = 0
    batch: list[NewAnnotation] = []
    started = time.perf_counter()
    for number, file in enumerate(files):
        if made + len(batch) >= count:
            break
        text, sha = corpus.read_text(file)
        for _ in range(min(per_doc, count - made - len(batch))):
            span = _passage(rng, text)
            if span is None:
                break
            tags = tuple(rng.sample(TAGS, rng.choice((1, 1, 1, 2))))
            note = f"note {rng.randrange(1000)}" if rng.random() < 0.2 else ""
            batch.append(NewAnnotation(file.id, text, sha, span[0], span[1], tags, note, creator=rng.choice(CODERS)))
        if (number + 1) % BATCH_DOCS == 0:
            store.add_many(batch, description="fixture")
            made += len(batch)
            batch = []
            if progress:
                print(
                    f"[fixture] {made:,} annotations, {number + 1:,} documents, {time.perf_counter() - started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
    if batch:
        store.add_many(batch, description="fixture")
        made += len(batch)
    return made


def ensure(corpus_root: Path, folder: Path, count: int = 100_000) -> Path:
    """The fixture at `folder`, made unless a marker says it holds this recipe already."""
    recipe = {"corpus": str(Path(corpus_root).resolve()), "count": count, "seed": SEED}
    marker = folder / MARKER
    try:
        if json.loads(marker.read_text(encoding="utf-8")) == recipe:
            return folder
    except (OSError, ValueError):
        pass
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} holds something else: give an empty or new folder")
    made = make_annotations(corpus_root, folder, count)
    marker.write_text(json.dumps({**recipe}) + "\n", encoding="utf-8")
    print(f"[fixture] {made:,} annotations in {folder}", file=sys.stderr)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("annotations", type=Path)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    ensure(args.corpus, args.annotations, args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
