"""Is search right on real corpora? `reader kwic` and `reader search --json` against grep.

Builds three corpora from installed Debian packages, under /tmp (or --work):

* ``fortunes``: every fortune of /usr/share/games/fortunes (fortunes, fortunes-zh: English,
  Chinese with ANSI colours, Tang and Song poems), one file per fortune;
* ``handbook``: the Debian Administrator's Handbook pages in Arabic, Persian, Chinese,
  Japanese and English (HTML pages of debian-handbook as plain text);
* ``man``: 400 man pages rendered with ``groff -Tutf8 -man``, half with SGR escapes
  (``GROFF_SGR=1``) and half with backspace overstrikes (Debian's grotty default), as
  terminals get them.

For each corpus it runs the real ``reader index`` (documents skipped and why), then for a list
of words (names, common words, CJK words, Arabic with and without marks, dotted words) it
compares the matches of ``reader kwic WORD --json`` and the documents of ``reader search WORD
--json`` with a reference computed here independently, as grep would: the text as a terminal
shows it (escape sequences and overstrikes removed), case-insensitive, marks and letter forms
of Arabic folded, the word between non-word characters or CJK (any substring for CJK).

Each reader match is classed by its text: *exact* (the word as typed, folded), *inflection*
(another English form of it: stemming, wanted), or *variant* (a sound-alike spelling:
issue 12 items 5-6, reported apart). missing = reference occurrences with no exact match.

Usage: python bench/bench_search_correctness.py [--work DIR] [--corpus fortunes|handbook|man]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORTUNES = Path("/usr/share/games/fortunes")
HANDBOOK = Path("/usr/share/doc/debian-handbook/html")
MAN = Path("/usr/share/man/man1")

WORDS = {
    "fortunes": [
        "God",
        "Einstein",
        "love",
        "computer",
        "Unix",
        "合作",
        "帮助",
        "项目",
        "人生",
        "明月",
        "Debian",
        "www",
        "e.g",
        "gz",
        "i.e",
    ],
    "handbook": [
        "Debian",
        "debian",
        "apt",
        "www.debian.org",
        "org",
        "كتب",
        "كَتَبَ",
        "الحزمة",
        "الحزم",
        "النظام",
        "بسته",
        "سیستم",
        "软件包",
        "系统",
        "パッケージ",
        "gz",
        "tar.gz",
        "e.g",
    ],
    "man": ["file", "gz", "tar", "www", "e.g", "bold", "option", "GNU", "Linux", "default"],
}

# --- building the corpora -------------------------------------------------------------------


def build_fortunes(out: Path) -> None:
    for source in sorted(FORTUNES.iterdir()):
        if not source.is_file() or source.suffix in (".dat", ".u8") or source.is_symlink():
            continue
        data = source.read_bytes()
        folder = out / source.name
        folder.mkdir(parents=True, exist_ok=True)
        for n, piece in enumerate(re.split(rb"\n%\n", data)):
            if piece.strip():
                (folder / f"{n:05d}.txt").write_bytes(piece + b"\n")


_TAG = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)
_BLOCK = re.compile(r"<(?:/(?:p|div|h\d|li|tr|title|pre|dt|dd|table)|br\s*/?)\s*>", re.I)


def build_handbook(out: Path) -> None:
    for lang in ("ar-MA", "fa-IR", "zh-CN", "ja-JP", "en-US"):
        folder = out / lang
        folder.mkdir(parents=True, exist_ok=True)
        for page in sorted((HANDBOOK / lang).glob("*.html")):
            page_html = page.read_text(encoding="utf-8", errors="replace")
            text = html.unescape(_TAG.sub(" ", _BLOCK.sub("\n", page_html)))
            text = re.sub(r"[ \t]+", " ", text)
            text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
            (folder / (page.stem + ".txt")).write_text(text + "\n", encoding="utf-8")


def build_man(out: Path, count: int = 400) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pages = sorted(p for p in MAN.iterdir() if p.name.endswith(".1.gz"))[:count]
    for n, page in enumerate(pages):
        roff = subprocess.run(["zcat", str(page)], capture_output=True).stdout
        env = dict(os.environ)
        env.pop("GROFF_SGR", None)
        if n % 2 == 0:
            env["GROFF_SGR"] = "1"  # Debian's grotty overstrikes unless asked for SGR escapes
        rendered = subprocess.run(["groff", "-Tutf8", "-man"], input=roff, capture_output=True, env=env).stdout
        if rendered.strip():
            (out / (page.name[: -len(".1.gz")] + ".txt")).write_bytes(rendered)


BUILDERS = {"fortunes": build_fortunes, "handbook": build_handbook, "man": build_man}

# --- the reference: what grep finds -----------------------------------------------------------

_DECORATION = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_STRUCK = re.compile(r".\x08", re.S)
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FORMS = str.maketrans("آأإٱىیکةۀ", "ااااييكهه")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def shown(text: str) -> tuple[str, list[int]]:
    """The text as a terminal shows it, and for each of its characters the original offset."""
    keep: list[int] = []
    i = 0
    out: list[str] = []
    while i < len(text):
        m = _DECORATION.match(text, i)
        if m:
            i = m.end()
            continue
        if i + 1 < len(text) and text[i + 1] == "\x08":
            i += 2
            continue
        if text[i] == "\x08":
            i += 1
            continue
        out.append(text[i])
        keep.append(i)
        i += 1
    return "".join(out), keep


def folded(text: str) -> str:
    """Lowercase, Latin accents and Arabic marks removed, Arabic/Persian letter forms unified
    (one character for one: offsets are kept)."""
    out = []
    for ch in text.lower():
        base = unicodedata.normalize("NFD", ch)[0] if ord(ch) < 0x250 else ch
        if _ARABIC_MARKS.match(base):
            base = "\0"  # a placeholder keeps offsets; removed by the pattern below
        out.append(base.translate(_FORMS))
    return "".join(out)


def reference(text: str, word: str) -> int:
    """Occurrences of `word` as grep -oiw would count them in the text as shown."""
    view, _ = shown(text)
    haystack = folded(view).replace("\0", "")
    needle = folded(word).replace("\0", "")
    if _CJK.search(needle):
        return haystack.count(needle)
    # a word character that is not CJK (a Latin word glued to Chinese is a word of its own)
    letter = r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
    mark = r"[\u0300-\u036f]"
    pattern = rf"(?<!{letter})(?<!{mark}){re.escape(needle)}(?!{letter})(?!{mark})"
    return len(re.findall(pattern, haystack))


# --- running the reader ---------------------------------------------------------------------


def reader(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def classify(span_text: str, word: str) -> str:
    from index.analysis import body_term  # classification only, never the reference

    view = folded(shown(span_text)[0]).replace("\0", "")
    target = folded(word).replace("\0", "")
    if view == target:
        return "exact"
    if all(body_term(a) == body_term(b) for a, b in zip(view.split(), target.split())):
        return "inflection"
    return "variant"


def check(name: str, corpus: Path, work: Path) -> dict:
    env = dict(
        os.environ,
        READER_CACHE_DIR=str(work / "cache"),
        READER_DATA_DIR=str(work / "data"),
        READER_CONFIG_DIR=str(work / "config"),
    )
    common = [
        "--corpus",
        str(corpus),
        "--index",
        str(work / f"index-{name}"),
        "--annotations",
        str(work / f"ann-{name}"),
    ]
    started = time.perf_counter()
    indexed = reader("index", *common, env=env)
    seconds = time.perf_counter() - started
    files = sorted(p for p in corpus.rglob("*.txt"))
    skipped = [line.strip() for line in indexed.stdout.splitlines() if line.strip().startswith("skipped")]
    texts = {p.relative_to(corpus).as_posix(): p.read_bytes().decode("utf-8", "replace") for p in files}
    rows = []
    for word in WORDS[name]:
        ref = {doc: reference(text, word) for doc, text in texts.items()}
        ref = {doc: n for doc, n in ref.items() if n}
        kwic = reader("kwic", word, "--json", "--width", "0", *common, env=env)
        counts = {"exact": {}, "inflection": 0, "variant": 0}
        variants: dict[str, int] = {}
        for line in kwic.stdout.splitlines():
            match = json.loads(line)
            text = texts[match["doc"]][match["start"] : match["end"]]
            kind = classify(text, word)
            if kind == "exact":
                counts["exact"][match["doc"]] = counts["exact"].get(match["doc"], 0) + 1
            else:
                counts[kind] += 1
                if kind == "variant":
                    key = shown(text)[0]
                    variants[key] = variants.get(key, 0) + 1
        found = reader("search", word, "--json", "--limit", "10000", *common, env=env)
        docs = {json.loads(line)["id"] for line in found.stdout.splitlines()}
        missing = sum(max(0, n - counts["exact"].get(doc, 0)) for doc, n in ref.items())
        extra = sum(max(0, n - ref.get(doc, 0)) for doc, n in counts["exact"].items())
        rows.append(
            {
                "word": word,
                "grep": sum(ref.values()),
                "grep_docs": len(ref),
                "exact": sum(counts["exact"].values()),
                "missing": missing,
                "extra": extra,
                "inflections": counts["inflection"],
                "variants": counts["variant"],
                "top_variants": sorted(variants.items(), key=lambda kv: -kv[1])[:4],
                "search_docs": len(docs),
                "docs_missing": len(set(ref) - docs),
            }
        )
    return {
        "corpus": name,
        "files": len(files),
        "skipped": skipped,
        "index_seconds": round(seconds, 1),
        "megabytes": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "words": rows,
    }


def report(result: dict) -> None:
    print(
        f"\n## {result['corpus']}: {result['files']} files, {result['megabytes']} MB, "
        f"indexed in {result['index_seconds']} s, {len(result['skipped'])} skipped"
    )
    for line in result["skipped"][:10]:
        print("  ", line)
    print(
        "| word | grep (docs) | exact | missing | extra | inflections | variants (top) | search docs | docs missing |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in result["words"]:
        top = ", ".join(f"{w} {n}" for w, n in r["top_variants"])
        print(
            f"| {r['word']} | {r['grep']} ({r['grep_docs']}) | {r['exact']} | {r['missing']} | "
            f"{r['extra']} | {r['inflections']} | {r['variants']}{' (' + top + ')' if top else ''} | "
            f"{r['search_docs']} | {r['docs_missing']} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/reader-bench-correctness"))
    parser.add_argument("--corpus", choices=sorted(BUILDERS), action="append")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    for name in args.corpus or sorted(BUILDERS):
        corpus = args.work / "corpora" / name
        if not corpus.exists():
            BUILDERS[name](corpus)
        result = check(name, corpus, args.work)
        report(result)
        (args.work / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
