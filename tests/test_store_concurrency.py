"""Two processes adding and editing on one store at the same time: nothing is lost."""

from __future__ import annotations

import subprocess
import sys

from reader.store import AnnotationStore

WORKER = r"""
import os, sys, time
from reader.store import AnnotationStore

folder, role, other, go, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
text = "The truce is over, said the “resistance”. النُّجَباء " * 30
store = AnnotationStore(folder, creator=role)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
docs = ["shared.txt", "sub/shared2.txt", f"{role}.txt"]
mine = []
for i in range(n):
    a = store.add(docs[i % 3], text, "sha", i, i + 5, [role])
    mine.append(a.id)
    print("A", a.id, flush=True)
    if i % 3 == 0:
        store.set_attributes("shared.txt", **{f"{role}_{i}": str(i)})
    if i % 2 == 1:
        store.edit(mine[i // 2], note=f"{role} note {i // 2}")
        print("N", mine[i // 2], f"{role} note {i // 2}", flush=True)
        store.refresh()
        theirs = store.annotations(tag=other)
        if theirs:
            t = theirs[i % len(theirs)]
            store.edit(t.id, tags=[*store.get(t.id).tags, f"seen-by-{role}"])
            print("T", t.id, f"seen-by-{role}", flush=True)
"""


def test_two_processes_at_once_lose_nothing(tmp_path):
    folder = tmp_path / "ann"
    go = tmp_path / "go"
    n = 60
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(folder), role, other, str(go), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role, other in (("alice", "bob"), ("bob", "alice"))
    ]
    for p in procs:  # both started and waiting: the go file starts them together
        assert p.stdout.readline() == "ready\n", p.stderr.read()
    go.touch()
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        outputs.append(out)

    store = AnnotationStore(folder)
    assert store.problems == []
    anns = {a.id: a for a in store.annotations()}
    added, notes, seen = set(), {}, []
    for out in outputs:
        for line in out.splitlines():
            kind, ann_id, *rest = line.split(" ", 2)
            if kind == "A":
                added.add(ann_id)
            elif kind == "N":
                notes[ann_id] = rest[0]
            else:
                seen.append((ann_id, rest[0]))
    assert len(added) == 2 * n and set(anns) == added
    for ann_id, note in notes.items():
        assert anns[ann_id].note == note  # a tag edit by the other process kept this note
    assert seen, "the processes never overlapped"
    for ann_id, tag in seen:
        assert tag in anns[ann_id].tags
    attrs = store.attributes("shared.txt").attributes
    assert sum(k.startswith("alice_") for k in attrs) == sum(k.startswith("bob_") for k in attrs) == 20
