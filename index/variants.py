"""Spelling variants of names, chosen at query time among the words the corpus really contains.

Why not a sound code alone: Double Metaphone on every capitalised word made sentence-initial
words match names (`Pharaoh` found "Fear", `Einstein` found "Winston", `God` found "Good"),
because a code keeps little more than the consonants. Here a variant of a query word is a word
of the body's lexicon that is a *plausible respelling* of it, which transliteration produces:

* the same **key**, a normal form that forgets what spellers do freely: doubled letters
  (Asad / Assad), c k q, s z, ph f, th dh kh gh as t d k g, a final -ie / -y (Charlie /
  Charly): Melchizedek and Melchisedec have one key;
* or the same key up to **vowel changes** that keep the word's shape (see `plausible`): none
  in words of four letters or fewer (fear / four), not the last letter (Plato / plate), not
  every vowel (Christ / crust); changed vowels plus added letters at most one up to six letters
  (Babil / Babel, Thabet / Thabit, but not Lenin / Lennon), two beyond;
* and the Double Metaphone codes agree: the sound code is a filter, never the criterion.

Only Latin words of at least `MIN_LETTERS` letters that are not stop words get variants:
short common words (God, who, get) never do. Candidates are looked up by a consonant
skeleton (the key without its vowels; a leading vowel kept as one "a"), a dict built once per
open reader from the lexicon with whole-string operations (C speed: the per-term Python work
is one dict append), then each candidate is checked as above. Terms are the body's stems,
so the query word is compared as its stem too.

Variants are searched as exact body terms at the variants boost (index.schema.FIELD_BOOSTS),
so the exact spelling ranks first, spans come straight from the body postings, and a span
can say whether it is the typed word or a variant (`VariantSet.is_variant`).

Joined names: in a phrase "al" and "el" stand for each other (al-Asad / el-Asad), and a
hyphenated name also finds its words written as one (al-Asad / Alasad) when the corpus has it.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import product

from whoosh import query as wq
from whoosh.analysis import STOP_WORDS

from index.analysis import metaphone_codes

__all__ = ["AddedSpelling", "VariantPhrase", "VariantSet", "plausible", "respelling_key", "variants_of", "respell"]

MIN_LETTERS = 4  # shorter words (God, who, Ain) match exactly what they say
MAX_VARIANTS = 16  # per query word, most frequent kept
MAX_PHRASES = 16  # spelled-out combinations of a phrase's variant words
VOWELS = frozenset("aeiou")
# Articles of Arabic names that transliterations write either way ("al-Asad", "el-Asad").
ARTICLES = {"al": ("el",), "el": ("al",)}

_LATIN_TERMS = re.compile(rf"(?m)^[a-z]{{{MIN_LETTERS},}}$")
_SAME_SOUND = str.maketrans({"c": "k", "q": "k", "z": "s", "y": "i"})
_SILENT_H = re.compile(r"([tdkg])h")
_FINAL_IE = re.compile(r"(?m)ie$")
_DOUBLED = re.compile(r"(.)\1+")
_LEADING_VOWEL = re.compile(r"(?m)^[aeiou]")
_ANY_VOWEL = re.compile(r"[aeiou]")


def _keys_of(lines: str) -> str:
    """`respelling_key` of every line of `lines` at once (line count unchanged)."""
    text = lines.replace("ph", "f").translate(_SAME_SOUND)
    text = _FINAL_IE.sub("i", _SILENT_H.sub(r"\1", text))
    return _DOUBLED.sub(r"\1", text)


def _skeletons_of(keys: str) -> str:
    """The consonant skeleton of every line of keys (a leading vowel kept as "A")."""
    return _ANY_VOWEL.sub("", _LEADING_VOWEL.sub("A", keys))


def respelling_key(term: str) -> str:
    """The normal form two spellings of one name share (see the module docstring)."""
    return _keys_of(term)


def _budget(length: int) -> int:
    """How many respellings (a changed vowel, a doubled or added letter) a word of `length`
    letters (of its key) may differ by."""
    return 1 if length <= 6 else 2


def _codes(term: str) -> set[str]:
    return {code for code in metaphone_codes(term) if code}


def plausible(term: str, candidate: str) -> bool:
    """Whether body term `candidate` is a plausible respelling of body term `term`.

    Same key, or the same up to vowel changes that keep the word's shape: never in a word of
    MIN_LETTERS letters or fewer (fear / four), never the last letter (Plato / plate), never
    every vowel (Christ / crust), never the first vowel of a word of five letters or fewer
    (Plato / Pluto; Donald / Dunald has six). The
    vowel changes plus the letters added (Lenin / Lennon: one of each) stay within the
    length's budget, and the Double Metaphone codes agree."""
    if term == candidate or not _LATIN_TERMS.fullmatch(term) or not _LATIN_TERMS.fullmatch(candidate):
        return False
    if term in STOP_WORDS or candidate in STOP_WORDS:
        return False
    key, other = respelling_key(term), respelling_key(candidate)
    if len(key) < MIN_LETTERS or len(other) < MIN_LETTERS:  # Baal and ball are both "bal"
        return False
    edits = abs(len(term) - len(candidate))
    if key != other:
        if len(key) != len(other) or len(key) <= MIN_LETTERS:
            return False
        changed = [i for i, (a, b) in enumerate(zip(key, other)) if a != b]
        if not all(key[i] in VOWELS and other[i] in VOWELS for i in changed):
            return False
        vowels = [i for i, char in enumerate(key) if char in VOWELS]
        if len(key) - 1 in changed or len(changed) >= len(vowels):
            return False
        if len(key) <= 5 and vowels[0] in changed:
            return False
        edits += len(changed)
    if edits > _budget(len(key)):
        return False
    return bool(_codes(term) & _codes(candidate))


# --- candidates from the lexicon, per open reader -----------------------------------------

_SKELETONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SKELETONS_LOCK = threading.Lock()


def _skeleton_table(reader, lexicon: Callable[[], Sequence[str]]) -> dict[str, list[str]]:
    """{skeleton: body terms} for the reader's Latin terms, built once and kept with it."""
    with _SKELETONS_LOCK:
        table = _SKELETONS.get(reader)
        if table is not None:
            return table
        terms = _LATIN_TERMS.findall("\n".join(lexicon()))
        table = {}
        if terms:
            skeletons = _skeletons_of(_keys_of("\n".join(terms))).split("\n")
            for skeleton, term in zip(skeletons, terms):
                found = table.get(skeleton)
                if found is None:
                    table[skeleton] = [term]
                else:
                    found.append(term)
        _SKELETONS[reader] = table
        return table


def variants_of(reader, lexicon: Callable[[], Sequence[str]], term: str) -> tuple[str, ...]:
    """The body terms that are plausible respellings of body term `term` (not itself), most
    frequent first, at most MAX_VARIANTS."""
    if not _LATIN_TERMS.fullmatch(term) or term in STOP_WORDS:
        return ()
    skeleton = _skeletons_of(respelling_key(term))
    found = [c for c in _skeleton_table(reader, lexicon).get(skeleton, ()) if plausible(term, c)]
    found.sort(key=lambda c: (-(reader.frequency("body", c) or 0), c))
    return tuple(found[:MAX_VARIANTS])


# --- rewriting the parsed query -------------------------------------------------------------


@dataclass
class VariantSet:
    """The variant terms a query added: {body term: the typed words it is a variant of}.

    A term that some typed word spells exactly is never a variant (`Babil Babel`)."""

    added: dict[str, list[str]] = field(default_factory=dict)
    exact: set[str] = field(default_factory=set)

    def add(self, term: str, typed: str) -> None:
        words = self.added.setdefault(term, [])
        if typed not in words:
            words.append(typed)

    def is_variant(self, term: str) -> bool:
        return term in self.added and term not in self.exact

    def variant_of(self, term: str) -> tuple[str, ...]:
        return tuple(self.added.get(term, ())) if self.is_variant(term) else ()


@dataclass(frozen=True)
class AddedSpelling:
    """A spelling a search added to what was typed, for the user to see ("also: Babel 3")."""

    typed: str  # the word or name as typed ("Babil")
    spelling: str  # as the corpus writes it ("Babel")
    occurrences: int  # in the whole corpus


class VariantPhrase(wq.Phrase):
    """A phrase of variant spellings: Whoosh's `Phrase.normalize` builds a new phrase, which
    would lose the `variant_of` label that match units read; this one keeps it."""

    variant_of: tuple[str, ...] = ()

    def normalize(self):
        q = super().normalize()
        if q is not wq.NullQuery:
            q.variant_of = self.variant_of
        return q


def _typed(q: wq.Query, text: str) -> str | None:
    """What the user typed for a leaf, when the parser recorded where it was."""
    start, end = getattr(q, "startchar", None), getattr(q, "endchar", None)
    ranges = getattr(q, "char_ranges", None)
    if (start is None or end is None) and ranges and None not in ranges[0] + ranges[-1]:
        start, end = ranges[0][0], ranges[-1][1]
    if start is None or end is None:
        return None
    return text[start:end]


def _terms(q: wq.Query) -> list[str] | None:
    if isinstance(q, wq.Phrase):
        return list(q.words)
    return [q.text] if isinstance(q, wq.Term) else None


def _spelled(terms: list[str], text: str) -> str:
    """The typed words of a hyphenated name the parser kept no offsets for ("al-Asad")."""
    pattern = r"\W+".join(re.escape(t) + r"\w*" for t in terms)
    match = re.search(pattern, text, re.IGNORECASE)
    return match.group(0) if match else "-".join(terms)


def respell(
    q: wq.Query,
    text: str,
    reader,
    lexicon: Callable[[], Sequence[str]],
    field_name: str,
    boost: float,
    found: VariantSet,
) -> wq.Query:
    """`q` with each `field_name` leaf (the parser's mark of a bare word or phrase, beside
    its body leaf) replaced by the body terms or phrases that respell the body leaf's
    words (at `boost`), or NullQuery when none exists. The typed words' own terms are noted in
    `found.exact`, every variant in `found.added`."""
    children = list(q.children())
    marks = [c for c in children if getattr(c, "fieldname", None) == field_name and isinstance(c, (wq.Term, wq.Phrase))]
    if not marks:
        if getattr(q, "fieldname", None) == field_name:  # a mark with no body leaf beside it
            return wq.NullQuery
        return q.apply(lambda c: respell(c, text, reader, lexicon, field_name, boost, found)).normalize()
    bodies = [c for c in children if getattr(c, "fieldname", None) == "body" and _terms(c)]
    instead: dict[int, wq.Query] = {}
    for mark in marks:
        twin = next((b for b in bodies if type(b) is type(mark)), None)
        if twin is None:
            instead[id(mark)] = wq.NullQuery
            continue
        bodies.remove(twin)
        terms = _terms(twin)
        assert terms is not None  # the bodies are the leaves with terms
        typed = _typed(mark, text) or _typed(twin, text) or _spelled(terms, text)
        found.exact.update(terms)
        instead[id(mark)] = _respelled(terms, typed, reader, lexicon, boost, found)
    return q.apply(
        lambda c: instead[id(c)] if id(c) in instead else respell(c, text, reader, lexicon, field_name, boost, found)
    ).normalize()


def _respelled(own: list[str], typed, reader, lexicon, boost, found: VariantSet) -> wq.Query:
    choices = []
    for term in own:
        options = [term]
        if len(own) > 1:
            options += [t for t in ARTICLES.get(term, ()) if ("body", t) in reader]
        options += [t for t in variants_of(reader, lexicon, term) if t not in options]
        choices.append(options)
    alternatives: list[wq.Query] = []
    if len(own) == 1:
        for term in choices[0][1:]:
            found.add(term, typed)
            alternatives.append(wq.Term("body", term, boost=boost))
    else:
        for combo in product(*choices):
            if list(combo) == own:
                continue
            if len(alternatives) >= MAX_PHRASES:
                break
            for term, mine in zip(combo, own):
                if term != mine:
                    found.add(term, typed)
            alternatives.append(VariantPhrase("body", list(combo), boost=boost))
        joined = "".join(own)
        if _LATIN_TERMS.fullmatch(joined) and ("body", joined) in reader:
            found.add(joined, typed)
            alternatives.append(wq.Term("body", joined, boost=boost))
    if not alternatives:
        return wq.NullQuery
    for alternative in alternatives:
        alternative.variant_of = (typed,)  # read by index.search for the match units' labels
    return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)
