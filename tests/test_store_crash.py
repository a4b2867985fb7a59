"""Crash safety: a writer killed with SIGKILL at random moments never leaves a broken file and
never loses a change whose call had returned.

Each writer is killed after a random number of acknowledged changes (it writes without pause, so
the kill lands inside a later write), never after a random time: a time-based kill lands during
interpreter start-up on a busy machine, and a wall-clock budget for the whole test fails there."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys

from reader.store import AnnotationStore

WRITER = r"""
import sys
from reader.store import AnnotationStore

folder, base = sys.argv[1], int(sys.argv[2])
text = "Al-Nujaba “resistance” النُّجَباء 👨‍👩‍👧 " * 20
store = AnnotationStore(folder, creator="writer")
print("ready", flush=True)
docs = ["a.txt", "sub/b.txt", "sub/deeper/c.txt"]
mine = []
n = base
while True:
    n += 1
    if mine and n % 4 == 0:
        ann_id = mine[n % len(mine)]
        store.edit(ann_id, note=str(n))
        print("E", ann_id, n, flush=True)
    elif n % 9 == 0:
        store.set_attributes(docs[n % 3], counter=str(n))
        print("M", docs[n % 3], n, flush=True)
    else:
        start = n % 300
        a = store.add(docs[n % 3], text, "sha", start, start + 7, [f"tag/{n % 5}"])
        mine.append(a.id)
        print("A", a.id, flush=True)
"""


KILLS = 15


def test_sigkill_at_random_moments_loses_nothing_that_returned(tmp_path):
    folder = tmp_path / "ann"
    rng = random.Random(1234)
    added: set[str] = set()
    last_note: dict[str, int] = {}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for kills in range(1, KILLS + 1):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), str(kills * 1_000_000)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        acknowledged = [proc.stdout.readline() for _ in range(rng.randint(1, 12))]
        assert all(acknowledged), proc.stderr.read()  # the writer is still writing
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, err
        for line in "".join(acknowledged).splitlines(keepends=True) + out.splitlines(keepends=True):
            if not line.endswith("\n"):
                continue  # the kill cut this print: its call may or may not have returned
            kind, *rest = line.split()
            if kind == "A":
                added.add(rest[0])
            elif kind == "E":
                last_note[rest[0]] = int(rest[1])

        for path in folder.rglob("*.json"):  # every file parses
            obj = json.loads(path.read_text(encoding="utf-8"))
            assert obj["format_version"] == 1
        store = AnnotationStore(folder)
        assert store.problems == []
        present = {a.id: a for a in store.annotations()}
        missing = added - set(present)
        assert not missing, f"after kill {kills}: {len(missing)} returned adds are missing"
        for ann_id, n in last_note.items():
            assert int(present[ann_id].note) >= n  # a later edit may have landed unprinted

    print(f"{KILLS} kills, {len(added)} adds, {len(last_note)} edits")
    assert len(added) >= KILLS  # every writer had its changes acknowledged before its kill
    leftovers = [p for p in folder.rglob("*.tmp")]
    AnnotationStore(folder).set_attributes("a.txt", done="yes")  # the next writer sweeps them
    assert not [p for p in leftovers if p.exists()]
