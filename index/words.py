"""How a text is cut into the words the index holds: one rule for every script.

Every offset is a code point into the text exactly as decoded (highlights, KWIC and
annotations use them as they are), so nothing here changes the text: each word is a span of
it, and folding (index/analysis.py) works on the word's copy only.

The rule, and why:

* **A word** is a run of letters and digits (`\\w`) with the combining marks of any script
  kept inside it (Arabic harakat, Hebrew points, Indic vowel signs, decomposed accents): a
  mark is not `\\w` in Python, and without this rule كَتَبَ fell apart into three letters and
  a highlight stopped before the word's final mark.

* **Dotted words** (`foo.tar.gz`, `www.debian.org`, `e.g`, `U.S`, `3.14`) are indexed whole
  *and* part by part, as Lucene's word-delimiter filter does with `preserveOriginal`: the parts
  take consecutive positions and the whole shares the first part's position, so `gz`, `tar`,
  `debian` are found inside them (grep finds them there too) and a query written with dots
  (`tar.gz`) is the phrase of its parts, which matches wherever it is a piece of a longer
  dotted word. The whole term keeps wildcards such as `www.deb*` working.

* **Chinese, Japanese and Korean** (Han, kana, hangul) are written without spaces between
  words, so a run of them up to the next space or punctuation was one token and 合作 inside
  合作项目 was never found. We index overlapping bigrams, as Lucene's CJKAnalyzer does:
  合作项目 gives 合作 作项 项目 at consecutive positions. Why bigrams rather than a segmenter
  (jieba, MeCab): a segmenter needs a dictionary (a dependency of tens of MB) and ranks
  better, but a query that crosses its word boundaries finds nothing, and a researcher must
  find every occurrence (what grep finds). With bigrams nothing is missed: a query of two
  characters is one bigram term, a longer one is the phrase of its bigrams (the adjacent
  positions make it exact, not "all bigrams somewhere"), and each bigram carries its own
  characters, so highlights cover exactly the characters typed. A lone CJK character
  between non-CJK text is indexed as itself. A Latin word glued to CJK text (来自Debian社区)
  is its own word, so `Debian` finds it.

* **Terminal control sequences** (ANSI/OSC escapes, `x\\bx` backspace overstrikes of nroff
  bold, `_\\bx` underline) are text decoration, not word breaks: `\\x1b[1mbold\\x1b[0m` and
  `b\\bbo\\bol\\bld\\bd` are the word "bold". Only a text that contains ESC or BS takes this
  path (a `str.__contains__` test, so the usual text pays nothing): the words are cut from a
  clean view without the sequences and each span is mapped back to the original text. An
  overstruck word's span starts at its first struck character, so the highlight covers it.

`words_of(text)` returns `(words, spans, positions)`: the word texts, their `(start, end)`
in `text`, and each word's position (None when the positions are simply 0, 1, 2...).
Positions are what phrase queries compare, and both the body and the variants fields use
these same words, so their positions agree.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate, compress, count

__all__ = ["TOKEN_RE", "WORD_PATTERN", "query_words", "words_of"]


def _mark_class() -> str:
    """A regex class body of the combining marks (categories Mn, Mc, Me) of the scripts in
    the BMP's alphabetic blocks and the combining-mark blocks (computed, not hand-listed)."""
    ranges: list[list[int]] = []
    for block in ((0x0300, 0x2000), (0x20D0, 0x2100), (0xA670, 0xAB00), (0xFE00, 0xFE30)):
        for cp in range(*block):
            if unicodedata.category(chr(cp))[0] == "M":
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


# Han (with extensions and compatibility forms), kana (with the prolonged sound mark and the
# voicing marks), halfwidth katakana, hangul syllables and jamo; 々 and 〆 iterate or abbreviate Han.
CJK = (
    "\u1100-\u11ff\u3005\u3006\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f"
)
MARKS = _mark_class()
_LETTER = rf"[^\W{CJK}]"
_PIECE = rf"{_LETTER}+(?:[{MARKS}]+{_LETTER}*)*"
WORD_PATTERN = rf"{_PIECE}(?:\.{_PIECE})*|[{CJK}]+"
TOKEN_RE = re.compile(WORD_PATTERN)
# The same tokens for a text without CJK, faster: `\w` instead of a class that excludes CJK.
_PLAIN_PIECE = rf"\w+(?:[{MARKS}]+\w*)*"
_PLAIN_RE = re.compile(rf"{_PLAIN_PIECE}(?:\.{_PLAIN_PIECE})*")
# The tokens that become more than one term are dotted words and CJK runs of three or more
# (a run of two is its own bigram, a run of one its own unigram).
_CJK_ANY = re.compile(f"[{CJK}]")
# A token that starts with three CJK characters is a CJK run of three or more (a word token
# never starts with one).
_CJK_RUN3 = re.compile(f"[{CJK}]{{3}}").match
# The tokens and the gaps between them (see `_tokens`).
_TOKEN_SPLIT = re.compile(f"({WORD_PATTERN})").split
_PLAIN_SPLIT = re.compile(f"({_PLAIN_RE.pattern})").split
# What a terminal draws as decoration: CSI (colours), OSC (titles, links; ended by BEL or ST),
# other two-character escapes, a lone ESC; and a character struck over by a backspace.
_DECORATION = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]|\x1b"
    r"|(?s:.)?\x08"
)

Words = tuple[list[str], list[tuple[int, int]], "list[int] | None"]


def words_of(text: str, query: bool = False) -> Words:
    """The indexed words of `text`: (texts, spans, positions or None for 0, 1, 2...).

    `query=True` is the form a query takes: a dotted word gives only its parts (a phrase),
    not the whole as well, so `tar.gz` also matches inside `foo.tar.gz`.
    """
    if "\x1b" in text or "\x08" in text:
        return _decorated_words(text, query)
    return _words(text, query)


def query_words(text: str) -> list[str]:
    """The words of a query, as the index holds them (before folding)."""
    return words_of(text, query=True)[0]


def _words(text: str, query: bool) -> Words:
    cjk = _CJK_ANY.search(text) is not None
    words, spans = _tokens(text, cjk)
    # Which tokens become several terms: a test per word at C speed ("." in word), and the
    # CJK test (a run of three or more) only for a text that has CJK at all.
    specials = [i for i, word in enumerate(words) if "." in word]
    if cjk:
        specials.extend(compress(count(), map(_CJK_RUN3, words)))
        specials.sort()
    if not specials:
        return words, spans, None
    return _expand(words, spans, specials, query)


def _tokens(text: str, cjk: bool) -> tuple[list[str], list[tuple[int, int]]]:
    """The raw tokens of `text` and their spans, as `finditer` finds them, at C speed.

    Why a split and not `finditer`: a match object per word and two method calls on it were
    a third of the word cutting (measured in docs/benchmarks.md, issue 12's build section).
    `split` on the pattern in one capturing group gives the text as [gap, word, gap, word,
    ..., gap]; the running sum of the pieces' lengths is where each piece ends, so a word's
    span is (end of the gap before it, its own end). The pattern never matches an empty
    string, so the pieces alternate exactly so.
    """
    pieces = (_TOKEN_SPLIT if cjk else _PLAIN_SPLIT)(text)
    ends = list(accumulate(map(len, pieces)))
    return pieces[1::2], list(zip(ends[0:-1:2], ends[1::2]))


def _expand(words, spans, specials, query) -> Words:
    """Replace each special token by its terms; positions shift by what each one adds."""
    out_words: list[str] = []
    out_spans: list[tuple[int, int]] = []
    positions: list[int] = []
    done = 0  # tokens copied so far
    position = 0  # the position of the next token
    for index in specials:
        copied = index - done
        out_words.extend(words[done:index])
        out_spans.extend(spans[done:index])
        positions.extend(range(position, position + copied))
        position += copied
        word = words[index]
        start, end = spans[index]
        if "." not in word:  # a CJK run: overlapping bigrams
            count = len(word) - 1
            out_words.extend(map(word.__getitem__, map(slice, range(count), range(2, count + 2))))
            out_spans.extend(zip(range(start, end - 1), range(start + 2, end + 1)))
            positions.extend(range(position, position + count))
            position += count
        else:
            part_start = start
            first = True
            for part in word.split("."):
                part_end = part_start + len(part)
                out_words.append(part)
                out_spans.append((part_start, part_end))
                positions.append(position)
                if first and not query:
                    out_words.append(word)
                    out_spans.append((start, end))
                    positions.append(position)
                first = False
                position += 1
                part_start = part_end + 1
        done = index + 1
    out_words.extend(words[done:])
    out_spans.extend(spans[done:])
    positions.extend(range(position, position + len(words) - done))
    return out_words, out_spans, positions


def _decorated_words(text: str, query: bool) -> Words:
    """Words of a text with terminal decoration: cut from a clean view, mapped back."""
    kept: list[str] = []
    starts: list[int] = []  # for each clean character: where its highlight starts
    ends: list[int] = []  # for each clean character: the original offset after it
    last = 0
    struck_from = None  # start of the overstrike run just before the next kept character
    for m in _DECORATION.finditer(text):
        s, e = m.span()
        if s > last:
            _keep(text, last, s, struck_from, kept, starts, ends)
            struck_from = None
        if text[e - 1] == "\x08":
            struck_from = s if struck_from is None else struck_from
        else:
            struck_from = None
        last = e
    if last < len(text):
        _keep(text, last, len(text), struck_from, kept, starts, ends)
    clean = "".join(kept)
    words, spans, positions = _words(clean, query)
    return words, [(starts[s], ends[e - 1]) for s, e in spans], positions


def _keep(text, s, e, struck_from, kept, starts, ends) -> None:
    kept.append(text[s:e])
    starts.extend(range(s, e))
    ends.extend(range(s + 1, e + 1))
    if struck_from is not None:
        starts[len(starts) - (e - s)] = struck_from
