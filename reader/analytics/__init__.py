"""Analytics over the corpus and its coding: concordance, code matrix, co-occurrence, frequencies.

Headless: plain functions returning frozen dataclasses, no Textual (and no Rich) imports, so a
Textual worker, the CLI (`reader/cli/views.py`) and the benchmarks all call the same code.

- `kwic`: keyword in context for a query, streamed document by document.
- `matrix`: documents (or an attribute such as source or outlet) by tags.
- `cooccur`: pairs of tags that overlap or share a paragraph.
- `frequencies`: term frequencies (whole corpus from the index statistics, or under one tag),
  tag counts, and a timeline of documents by date.

Annotation positions are the stored ones (what the store last anchored), except where a view
reads the text anyway (co-occurrence by paragraph), which re-anchors a document whose text
changed. Nothing here writes to the store or the index.
"""
