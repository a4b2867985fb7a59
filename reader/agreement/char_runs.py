"""The `char` unit's reliability table in one pass of array arithmetic over every document.

The study's documents are laid end to end; every span's start and end (clipped to its
document) and every document's start and end cut the line into runs, and each run's pattern
is, per coder, the set of their tags covering it (None for a coder taken as absent from the
document). A coder's set is kept as a bit mask over the study's tags: per coder and tag, the
spans starting minus those ending before a point say whether the tag covers it (a cumulative
sum), and the covering tags' bits add up to the mask. The runs are then counted per pattern
and length class, and added to the table in the order a document-by-document sweep would meet
them, so the table (and everything computed from it, the bootstrap's draws included) is the
one `study._char_runs` builds, at a fraction of the cost: 30,000 spans over 2,501 documents
made 60,000 runs, which the sweep added one by one in Python.

Masks are 63-bit integers: a study with more distinct tags than that is left to the sweep.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reader.agreement.table import ReliabilityTable, length_bin

MAX_TAGS = 62


def char_table(
    table: ReliabilityTable,
    coders: Sequence[str],
    docs: Sequence[tuple[int, list, list[bool]]],
) -> bool:
    """Add the runs of `docs` (each its length, its spans and which coders are present, in
    the study's order) to `table`; False (nothing added) when there are too many tags."""
    tags = sorted({t for _, spans, _ in docs for s in spans for t in s.tags})
    if len(tags) > MAX_TAGS:
        return False
    bit = {t: k for k, t in enumerate(tags)}
    index = {c: k for k, c in enumerate(coders)}
    lengths = np.array([length for length, _, _ in docs], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    rows_doc, rows_coder, rows_tag, rows_start, rows_end = [], [], [], [], []
    for d, (length, spans, _) in enumerate(docs):
        for s in spans:
            for t in s.tags:
                rows_doc.append(d)
                rows_coder.append(index[s.coder])
                rows_tag.append(bit[t])
                rows_start.append(min(s.start, length))
                rows_end.append(min(s.end, length))
    base = offsets[np.array(rows_doc, dtype=np.int64)]
    starts = base + np.array(rows_start, dtype=np.int64)
    ends = base + np.array(rows_end, dtype=np.int64)
    cuts = np.unique(np.concatenate((offsets, starts, ends)))
    if cuts.size < 2:
        return True
    at_start = np.searchsorted(cuts, starts)
    at_end = np.searchsorted(cuts, ends)
    coder_of_row = np.array(rows_coder, dtype=np.int64)
    tag_of_row = np.array(rows_tag, dtype=np.int64)
    n_cuts, n_tags = cuts.size, max(len(tags), 1)
    runs = cuts.size - 1
    doc_of_run = np.searchsorted(offsets, cuts[:-1], side="right") - 1
    weights = np.diff(cuts)
    masks = np.empty((runs, len(coders)), dtype=np.int64)
    bits = np.left_shift(np.int64(1), np.arange(n_tags, dtype=np.int64))
    absent = np.array([[not ok for ok in present] for _, _, present in docs], dtype=bool).reshape(len(docs), -1)
    for k in range(len(coders)):
        mine = coder_of_row == k
        cells = n_cuts * n_tags
        delta = np.bincount(at_start[mine] * n_tags + tag_of_row[mine], minlength=cells) - np.bincount(
            at_end[mine] * n_tags + tag_of_row[mine], minlength=cells
        )
        covered = np.cumsum(delta.reshape(n_cuts, n_tags), axis=0)[:-1] > 0
        masks[:, k] = covered @ bits if n_tags else 0
        if absent.size:
            masks[absent[doc_of_run, k], k] = -1
    unique_weights, weight_class = np.unique(weights, return_inverse=True)
    bins = np.array([length_bin(int(w)) for w in unique_weights.tolist()], dtype=np.int64)[weight_class]
    # each run's class as one number: the columns numbered and combined two at a time (a
    # unique over rows is several times slower)
    inverse = np.zeros(runs, dtype=np.int64)
    for column in [*masks.T, bins]:
        _, number = np.unique(column, return_inverse=True)
        _, inverse = np.unique(inverse * (int(number.max()) + 1) + number.reshape(-1), return_inverse=True)
        inverse = inverse.reshape(-1)
    _, first = np.unique(inverse, return_index=True)
    classes = np.column_stack((masks, bins))[first]
    counts = np.bincount(inverse, minlength=len(classes))
    # float sums of whole numbers: exact below 2**53 characters
    units = np.bincount(inverse, weights=weights.astype(np.float64), minlength=len(classes))
    sets: dict[int, frozenset[str]] = {}

    def value(mask: int) -> frozenset[str] | None:
        if mask < 0:
            return None
        found = sets.get(mask)
        if found is None:
            found = sets[mask] = frozenset(t for t, k in bit.items() if mask >> k & 1)
        return found

    rows, run_counts, unit_sums = classes.tolist(), counts.tolist(), units.tolist()
    for c in np.argsort(first, kind="stable").tolist():  # in the order a sweep meets them
        row = rows[c]
        table._add(tuple(value(m) for m in row[:-1]), row[-1], run_counts[c], int(unit_sums[c]))
    return True
