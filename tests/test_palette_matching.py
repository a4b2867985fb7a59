"""The palette's matching over many commands (reader/commands.py `CommandTexts`) lists what
Textual's own fuzzy matcher would rank first: the same texts, scores and order, for queries that
are words, scattered letters, single letters, spaces, regular-expression characters and
letters that change length when lowered."""

from __future__ import annotations

import random

from textual.fuzzy import Matcher

from reader.commands import CommandTexts

from conftest import SEEDS


def _texts() -> list[str]:
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))).split()
    rng = random.Random(5)
    texts = [f"Open: {' '.join(rng.sample(words, rng.randint(1, 9)))}" for _ in range(1_500)]
    texts += [
        "Annotation: theme/1 — “İstanbul straße” — 中文 title",
        "Open: (a+)* [x] .* \\ back slash",
        "Open: İİİ i̇",
        "Tag the selection",
        "Open: ÉCOLE école",
        "Open: 👨‍👩‍👧 family",
    ]
    return texts


def _brute(query: str, texts: list[str]) -> list[tuple[float, int]]:
    """Every text Textual's matcher scores above 0, best first (ties: the first)."""
    matcher = Matcher(query)
    scored = [(matcher.match(text), i) for i, text in enumerate(texts)]
    return sorted((hit for hit in scored if hit[0] > 0), key=lambda hit: (-hit[0], hit[1]))


def test_the_best_matches_are_textuals():
    texts = _texts()
    rng = random.Random(11)
    queries = ["o", "Open", "the", "tag", " ", "a+", "(a+)*", ".*", "\\", "i̇", "İ", "istanbul", "STRASSE"]
    queries += ["中文", "👨", "école", "zzzzqx", "open the", "n:"]
    for _ in range(60):  # scattered letters of a text, and pieces of one
        text = rng.choice(texts)
        picked = sorted(rng.sample(range(len(text)), min(len(text), rng.randint(1, 6))))
        queries.append("".join(text[i] for i in picked))
        start = rng.randrange(len(text))
        queries.append(text[start : start + rng.randint(1, 12)])
    index = CommandTexts(texts)
    for query in queries:
        every = _brute(query, texts)
        for limit in (1, 20, 200):
            assert index.best(Matcher(query), query, limit) == every[:limit], (query, limit)


def test_candidates_are_every_text_holding_the_letters_in_order():
    texts = ["abc", "a\nb", "ba", "", "xaxbx", "ABC"]
    index = CommandTexts(texts)
    assert index.candidates("ab") == [0, 1, 4, 5]  # a text's newline is a space there
    assert index.candidates("") == [] and index.candidates("q") == []


def test_a_newer_query_stops_the_scoring():
    texts = _texts()
    index = CommandTexts(texts)
    assert len(index.candidates("o")) > 1_000 and index.best(Matcher("o"), "o", 20)
    assert index.best(Matcher("o"), "o", 20, stop=lambda: True) == []
    looks: list[int] = []
    assert index.best(Matcher("o"), "o", 20, stop=lambda: looks.append(1) or len(looks) > 1) == []
    assert len(looks) == 2  # looked again after the first STOP_EVERY texts, and stopped
