"""Search that is right on real text of any script (issue 12, items 2, 4, 7, 8 and the schema
bump): every occurrence grep finds is found, and highlights cover exactly the written word."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from index.indexer import MANIFEST_NAME, CorpusIndex
from index.schema import SCHEMA_VERSION
from index.search import match_spans, search
from index.words import words_of
from reader.cli import main

from app_helpers import toasts
from conftest import make_paths
from waiting import pilot_wait_until

DOCS = {
    "zh1.txt": "这是一个合作项目。\n来自Debian社区的帮助，感谢大家的帮助。\n",
    "zh2.txt": "项目管理需要合作与沟通。\n",
    "zh3.txt": "我们需要帮助。合作\n",
    "ja.txt": "東京に行きます。ひらがなとカタカナ。\n",
    "ko.txt": "한국어 텍스트입니다. 대한민국\n",
    "ar1.txt": "كَتَبَ الطَّالِبُ الدَّرْسَ في المدرسة.\n",
    "ar2.txt": "كتب الطالب رسالة طويـــلة إلى أستاذه.\n",
    "fa.txt": "این یک کتاب فارسی است.\n",
    "man.txt": "Download foo.tar.gz from www.debian.org, e.g. with wget; then tar xf it.\n",
    "ansi.txt": "plain \x1b[1mbold\x1b[0m text and \x1b[31mred\x1b[0m colour\n",
    "nroff.txt": "b\bbo\bol\bld\bd face and _\bu_\bn_\bd_\be_\br line\n",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("scripts")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    ix = CorpusIndex(corpus, root / "index")
    report = ix.update()
    assert report.skipped == [] and len(report.added) == len(DOCS)
    return ix


def grep_docs(word: str) -> set[str]:
    return {name for name, text in DOCS.items() if word in text}


def found(index, query: str) -> dict[str, list[str]]:
    """{doc id: the highlighted texts} for every hit of `query`."""
    results = search(index, query, pagelen=100)
    return {hit.doc_id: [DOCS[hit.doc_id][s.start : s.end] for s in hit.spans] for hit in results.hits}


@pytest.mark.parametrize("word", ["合作", "帮助", "项目", "社区", "合作项目", "東京", "カタカナ", "대한민국"])
def test_cjk_words_are_found_wherever_grep_finds_them(index, word):
    hits = found(index, word)
    assert set(hits) == grep_docs(word)
    for doc_id, texts in hits.items():
        assert texts == [word] * DOCS[doc_id].count(word)  # exact highlights, each occurrence


def test_a_latin_word_glued_to_chinese_is_found(index):
    assert found(index, "Debian") == {"zh1.txt": ["Debian"], "man.txt": ["debian"]}


def test_cjk_is_bigrams_at_consecutive_positions():
    words, spans, positions = words_of("来自Debian社区合作项目")
    assert words == ["来自", "Debian", "社区", "区合", "合作", "作项", "项目"]
    assert positions == list(range(7))
    assert spans[4] == (10, 12)


@pytest.mark.parametrize("word", ["gz", "tar", "debian", "foo.tar.gz", "tar.gz", "www.debian.org"])
def test_dotted_words_are_found_by_their_parts_and_whole(index, word):
    hits = found(index, word)
    assert set(hits) == {name for name, text in DOCS.items() if word in text.lower()}
    assert all(text.lower() == word for text in hits["man.txt"])
    assert len(hits["man.txt"]) == DOCS["man.txt"].count(word)


def test_a_dotted_word_is_indexed_whole_and_in_parts():
    words, spans, positions = words_of("see foo.tar.gz now")
    assert list(zip(words, positions)) == [("see", 0), ("foo", 1), ("foo.tar.gz", 1), ("tar", 2), ("gz", 3), ("now", 4)]
    assert words_of("foo.tar.gz", query=True)[0] == ["foo", "tar", "gz"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("كتب", {"ar1.txt": ["كَتَبَ"], "ar2.txt": ["كتب"]}),
        ("كَتَبَ", {"ar1.txt": ["كَتَبَ"], "ar2.txt": ["كتب"]}),
        ("الطالب", {"ar1.txt": ["الطَّالِبُ"], "ar2.txt": ["الطالب"]}),
        ("طويلة", {"ar2.txt": ["طويـــلة"]}),  # tatweel folded
        ("استاذه", {"ar2.txt": ["أستاذه"]}),  # alef with hamza folded
        ("كتاب", {"fa.txt": ["کتاب"]}),  # Persian keheh is kaf
        ("ايں", {}),
    ],
)
def test_arabic_marks_and_letter_forms_fold_and_highlights_cover_the_word(index, query, expected):
    assert found(index, query) == expected


def test_persian_yeh_is_arabic_yeh(index):
    assert found(index, "اين") == {"fa.txt": ["این"]}


def test_ansi_colours_and_overstrikes_do_not_break_words(index):
    assert found(index, "bold") == {
        "ansi.txt": ["bold"],  # the escape sequences are not part of the highlight
        "nroff.txt": ["b\bbo\bol\bld\bd"],  # the whole overstruck word
    }
    assert found(index, "red") == {"ansi.txt": ["red"]}
    assert found(index, "under") == {"nroff.txt": ["_\bu_\bn_\bd_\be_\br"]}
    assert found(index, '"bold text"') == {"ansi.txt": ["bold\x1b[0m text"]}


def test_match_spans_inside_one_document(index):
    spans = match_spans(index, "zh1.txt", "帮助")
    assert [DOCS["zh1.txt"][s.start : s.end] for s in spans] == ["帮助", "帮助"]


def test_an_index_of_the_old_schema_is_rebuilt_with_a_message(index, tmp_path):
    assert SCHEMA_VERSION >= 2
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("合作项目\n", encoding="utf-8")
    args = ["--corpus", str(corpus), "--annotations", str(tmp_path / "ann"), "--index", str(tmp_path / "ix")]
    assert CliRunner().invoke(main, ["index", *args]).exit_code == 0
    [manifest] = list((tmp_path / "ix").rglob(MANIFEST_NAME))
    data = json.loads(manifest.read_text())
    data["schema_version"] = 1
    manifest.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["index", *args])
    assert result.exit_code == 0, result.output
    assert f"Index rebuilt: index built by schema version 1, now {SCHEMA_VERSION}" in result.output
    assert CliRunner().invoke(main, ["search", "合作", *args]).exit_code == 0


async def test_the_app_says_why_it_rebuilt_an_old_index(tmp_path):
    from reader.app import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("合作项目\n", encoding="utf-8")
    paths = make_paths(tmp_path, corpus)
    ix = CorpusIndex(corpus, paths.index)
    ix.update()
    manifest = ix.index_dir / MANIFEST_NAME
    data = json.loads(manifest.read_text())
    data["schema_version"] = 1
    manifest.write_text(json.dumps(data))
    app = create_app(paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot_wait_until(
            pilot,
            lambda: [t for t in toasts(app) if "schema version" in t],
            "the schema toast",
            explain=lambda: toasts(app),
        )
        shown = toasts(app)
        assert any(f"schema version 1, now {SCHEMA_VERSION}" in text for text in shown), shown
