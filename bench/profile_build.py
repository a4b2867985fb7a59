"""Where a full index build spends its time: analyzer stages and schema choices, measured apart.

Runs on a fixed ~4 MB sample of the linux-doc corpus (bench/corpora.py), single process, so the
figures compare with each other (the real build uses Whoosh's two-process writer on top):

1. each analyzer of index/analysis.py, stage by stage (tokenizer, lowercase, accent fold,
   stemming; the variants field's name tokenizer, stop words, Double Metaphone): MB/s;
2. a Whoosh build of the same documents with the project's schema and with one feature taken
   away at a time (the `spell_body` field that `spelling=True` adds, the variants field,
   character offsets, stemming): MB/s, so the cost of each feature is the difference.

Usage::

    python bench/profile_build.py            # prints a Markdown section
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR.parent), str(BENCH_DIR)]

import corpora  # noqa: E402

SAMPLE_BYTES = 4_000_000


def sample_texts() -> list[tuple[str, str]]:
    files = corpora.corpus_files(corpora.ensure("linux-doc"))
    random.Random(1).shuffle(files)
    texts, total = [], 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        texts.append((path.relative_to(corpora.LINUX_DOC_DIR).as_posix(), text))
        total += len(text.encode("utf-8"))
        if total >= SAMPLE_BYTES:
            break
    return texts


def analyzer_stages(texts: list[tuple[str, str]], mb: float) -> list[str]:
    from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StopFilter

    from index import analysis as A

    chains = [
        ("body: regex tokenizer", lambda: RegexTokenizer(A.WORD_PATTERN)),
        ("body: + lowercase", lambda: RegexTokenizer(A.WORD_PATTERN) | LowercaseFilter()),
        ("body: + accent fold", lambda: RegexTokenizer(A.WORD_PATTERN) | LowercaseFilter() | CharsetFilter(A.FOLD_MAP)),
        ("body: + stemming = body_analyzer()", A.body_analyzer),
        ("variants: name tokenizer", lambda: A.NameTokenizer()),
        (
            "variants: + lowercase + fold + stop",
            lambda: A.NameTokenizer() | LowercaseFilter() | CharsetFilter(A.FOLD_MAP) | StopFilter(renumber=False),
        ),
        ("variants: + metaphone = variants_analyzer()", A.variants_analyzer),
    ]
    lines = ["| analyzer chain | seconds | MB/s | tokens |", "|---|---|---|---|"]
    for label, make in chains:
        analyzer = make()
        t0 = time.perf_counter()
        count = 0
        for _, text in texts:
            for _tok in analyzer(text, positions=True, chars=True):
                count += 1
        dt = time.perf_counter() - t0
        lines.append(f"| {label} | {dt:.2f} | {mb / dt:.2f} | {count:,} |")
    return lines


def schema_variants(texts: list[tuple[str, str]], mb: float) -> list[str]:
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, STORED, TEXT, Schema

    from index.analysis import body_analyzer, plain_analyzer, variants_analyzer
    from index.metadata import extract_metadata
    from index.schema import build_schema

    titles = {doc_id: extract_metadata(text).title for doc_id, text in texts}

    def schema(spelling=True, variants=True, chars=True, stem=True):
        body = body_analyzer() if stem else plain_analyzer()
        fields = dict(
            id=ID(unique=True, stored=True),
            title=TEXT(analyzer=body, stored=True),
            body=TEXT(analyzer=body, phrase=True, chars=chars, spelling=spelling),
            sha256=STORED(),
        )
        if variants:
            fields["variants"] = TEXT(analyzer=variants_analyzer(), phrase=True, chars=chars)
        return Schema(**fields)

    def variants_no_chars():
        sch = schema(spelling=False, variants=False)
        sch.add("variants", TEXT(analyzer=variants_analyzer(), phrase=True, chars=False))
        return sch

    configs = [
        ("index/schema.py as it is (spelling, variants, chars)", build_schema),
        ("without spell_body (spelling=False)", lambda: schema(spelling=False)),
        ("without the variants field", lambda: schema(variants=False)),
        ("without spell_body, variants without chars", variants_no_chars),
        ("without spell_body and variants", lambda: schema(spelling=False, variants=False)),
        ("... and no chars (positions only)", lambda: schema(spelling=False, variants=False, chars=False)),
        ("... and no stemming", lambda: schema(spelling=False, variants=False, chars=False, stem=False)),
    ]

    lines = ["| schema | add s | commit s | total s | MB/s |", "|---|---|---|---|---|"]
    for label, make in configs:
        sch = make()
        with tempfile.TemporaryDirectory() as tmp:
            ix = whoosh_index.create_in(tmp, sch)
            t0 = time.perf_counter()
            writer = ix.writer()
            for doc_id, text in texts:
                fields = {"id": doc_id, "title": titles[doc_id], "body": text, "sha256": "x"}
                if "variants" in sch:
                    fields["variants"] = text
                writer.add_document(**fields)
            t1 = time.perf_counter()
            writer.commit()
            t2 = time.perf_counter()
        lines.append(f"| {label} | {t1 - t0:.2f} | {t2 - t1:.2f} | {t2 - t0:.2f} | {mb / (t2 - t0):.2f} |")
        print(lines[-1], file=sys.stderr, flush=True)
    return lines


def main() -> int:
    texts = sample_texts()
    mb = sum(len(t.encode("utf-8")) for _, t in texts) / 1e6
    out = [
        f"## Index build cost breakdown ({len(texts)} linux-doc files, {mb:.1f} MB, one process)\n",
        "### Analyzers, stage by stage\n",
    ]
    out += analyzer_stages(texts, mb)
    out += ["", "### Whoosh build (single writer) by schema\n"]
    out += schema_variants(texts, mb)
    text = "\n".join(out)
    print(text)
    (BENCH_DIR / "out").mkdir(exist_ok=True)
    (BENCH_DIR / "out" / "profile_build.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
