"""CSV and JSON Lines made a document's rows at a time (issue 19) are the records' own cells.

`write_csv` makes each cell from the row (a document's title, source and date once, a tag's
cells once, an annotation's once for all its tags) instead of from each record's dict; the
cells must be exactly what `_cell` makes of `records()` in every protection mode, on values
that need protection, on moved, fuzzy, orphaned and gone annotations, and with a tag filter.
The rows keep the order (document, current start, id) without the per-row sort.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from index.corpus import Corpus
from reader.export import Filters, select
from reader.export import tabular
from reader.export.spreadsheet import BOM, CsvOptions
from reader.store import AnnotationStore, NewAnnotation

TEXTS = {
    "a.txt": "=HYPERLINK(x) opens the text.\n -2+3 is a sum, +A1 a cell, @mention a word, 'tis.\n" * 6,
    "b.txt": "\t=SUM(A1) after a tab; \u062c\u0645\u0644\u0629 and \U0001f468\u200d\U0001f469 here.\r\n" * 8,
    "c.txt": "The truce held. The forces withdrew. Negotiations resumed in the council.\n" * 5,
}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def project(tmp_path):
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    for name, text in TEXTS.items():
        (corpus_dir / name).write_text(text, encoding="utf-8", newline="")
    store = AnnotationStore(tmp_path / "ann", creator="=coder")
    items = []
    for name, text in TEXTS.items():
        for k in range(12):
            start = (k * 37) % (len(text) - 60)
            tags = (
                ("=bad/tag", "actor/A") if k % 3 == 0 else ("-x", "event/B", "actor/A") if k % 3 == 1 else ("actor/A",)
            )
            note = ("=1+1", "", "+A1 note", "plain note")[k % 4]
            items.append(NewAnnotation(name, text, _sha(text), start, start + 5 + k * 3, tags, note))
    items.append(NewAnnotation("gone.txt", "text of a gone file", _sha("text of a gone file"), 0, 4, ("actor/A",), ""))
    store.add_many(items)
    store.set_attributes("a.txt", title="=HYPERLINK(\"x\")", source="-2+3", date="@today")
    store.set_attributes("c.txt", title=" -1")
    # edit c.txt: text inserted in front moves its annotations (and their order differs), one
    # passage changed a little (fuzzy), one removed (orphan)
    c = TEXTS["c.txt"]
    edited = "A new first line, inserted.\n" + c.replace("The forces withdrew.", "The forces withdrew!", 1)
    edited = edited.replace("Negotiations resumed in the council.\n", "", 1)
    (corpus_dir / "c.txt").write_text(edited, encoding="utf-8", newline="")
    return store, Corpus(corpus_dir)


def _reference_csv(selection, options: CsvOptions) -> str:
    """The CSV as written from each record's dict, cell by cell with `_cell`."""
    out = io.StringIO(newline="")
    if options.bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(tabular.COLUMNS)
    for _row, _tag, rec in tabular.records(selection):
        writer.writerow([tabular._cell(rec[c], options.protect) for c in tabular.COLUMNS])
    return out.getvalue()


@pytest.mark.parametrize("mode", ["formulas", "all", "none"])
@pytest.mark.parametrize("filters", [Filters(), Filters(tags=("actor/A",)), Filters(tags=("event",))])
def test_the_csv_is_each_records_cells(project, mode, filters):
    store, corpus = project
    selection = select(filters, store=store, corpus=corpus, texts=False)
    statuses = {r.status for r in selection.rows}
    if not filters.tags:
        assert {"anchored", "moved", "orphan"} <= statuses, statuses
    options = CsvOptions(protect=mode, bom=mode != "none")
    out = io.StringIO(newline="")
    written = tabular.write_csv(selection, out, options)
    assert out.getvalue() == _reference_csv(selection, options)
    assert written.rows == sum(len(r.selected_tags) for r in selection.rows)


def test_the_json_lines_are_each_records_dumps(project):
    store, corpus = project
    selection = select(Filters(), store=store, corpus=corpus, texts=False)
    out = io.StringIO(newline="")
    tabular.write_jsonl(selection, out)
    expected = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for _r, _t, rec in tabular.records(selection))
    assert out.getvalue() == expected


def test_the_rows_are_in_document_start_id_order_where_annotations_moved(project):
    store, corpus = project
    rows = select(Filters(), store=store, corpus=corpus, texts=False).rows
    assert any(r.status == "moved" for r in rows)
    key = [(r.doc, r.start if r.start is not None else r.annotation.start, r.id) for r in rows]
    assert key == sorted(key)
    assert len(rows) == len(store.annotations())


@pytest.mark.parametrize(
    "parts",
    [
        ("coding", "9743adcd-bf24-4204-ab4e-5e12bfc2a724", "actor/delta"),
        ("tag", "النُّجَباء 👨‍👩‍👧"),
        ("source", "f0/doc0001.txt", "0" * 64),
        ("",),
        ("annotation", "x\x1fy\r\n"),
    ],
)
def test_refi_guids_are_uuid5(parts):
    import uuid

    from reader.export import refi_names

    expected = str(uuid.uuid5(refi_names.NAMESPACE, "\x1f".join(parts))).upper()
    assert refi_names.guid(*parts) == expected
