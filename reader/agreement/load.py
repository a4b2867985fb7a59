"""Gathering a study from a project: the store's annotations placed in the corpus's texts.

The one place the command line (and later the app's worklist) turns `--coder`, `--tag` and
`--doc` into a `Study`: coders are the annotations' creators (an annotation with no creator,
from before coders existed, belongs to `unknown`), documents are read once each, and an
annotation whose text is gone (an orphan) is counted and left out, never guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.corpus import Corpus
from reader.agreement.study import Study, spans_from
from reader.coders import coder_of
from reader.analytics.texts import read_text


@dataclass(frozen=True)
class StudyInput:
    study: Study
    documents: tuple[str, ...]
    orphans: int
    unreadable: tuple[str, ...]


class StudyError(ValueError):
    """The study cannot be measured as asked (a usage problem, said in one sentence)."""


def gather(
    store,
    corpus: Corpus,
    coders: Sequence[str] = (),
    tags: Sequence[str] = (),
    docs: Sequence[str] = (),
    unit: str = "char",
    absent_as_missing: bool = False,
    replicates: int = 1000,
    seed: int | None = None,
) -> StudyInput:
    wanted = set(docs)
    annotations = [a for a in store.annotations() if not wanted or a.doc in wanted]
    present = sorted({coder_of(a) for a in annotations})
    chosen = tuple(dict.fromkeys(coders)) if coders else tuple(present)
    if len(chosen) < 2:
        found = ", ".join(present) or "none"
        raise StudyError(f"agreement needs two coders or more (coders found: {found})")
    # a coder named with --coder who has no annotation stays in: they coded nothing
    mine = [a for a in annotations if coder_of(a) in chosen]
    wanted_docs = list(docs) if docs else sorted({a.doc for a in mine})
    texts: dict[str, str] = {}
    unreadable: list[str] = []
    for doc in wanted_docs:
        read = read_text(corpus, doc)
        if read is None:
            unreadable.append(doc)
        else:
            texts[doc] = read[0]
    placed, orphans = spans_from(mine, texts)
    study = Study(
        placed,
        texts,
        chosen,
        unit=unit,
        tags=tuple(tags),
        absent_as_missing=absent_as_missing,
        replicates=replicates,
        **({} if seed is None else {"seed": seed}),
    )
    return StudyInput(study, tuple(sorted(texts)), orphans, tuple(unreadable))
