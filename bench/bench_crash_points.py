"""Kill a writer at every point of the store's write path, for every change to several files.

For each operation below, the writer (a forked child process) runs the operation with
`reader.store.crashpoints` armed to SIGKILL it at point N, for N = 1, 2, ... until it runs
through without being killed. After each kill the folder is opened again (which completes or
discards what the journal says) and checked:

- every file parses, and no journal is left after the open;
- the state is exactly the state before the operation or exactly the state after it
  (annotations compared by document, span, quote, tags and note; the codebook by name, colour
  and description; attributes) - never something in between ("half-applied");
- a change acknowledged before the kill (the child reports each call that returned) is there
  ("lost"): the child acknowledges the operation, then makes one more single-file change, so
  kills after the acknowledgement test that the acknowledged state survives;
- a state "before" can be retried (a rename is not refused as "already exists");
- once the lock is taken again, no temp file is left.

    python bench/bench_crash_points.py [--ops rename,import,...]

Prints one Markdown row per operation: points, kills, lost, half-applied, other failures.
tests/test_store_journal.py runs the same harness.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.store import AnnotationStore, NewAnnotation  # noqa: E402
from reader.store import crashpoints  # noqa: E402

TEXTS = {
    "a.txt": "Al-Nujaba said on Monday that the truce holds; النُّجَباء المقاومة.\n" * 3,
    "b.txt": "A drone strike hit the base near Ain al-Asad. The council met.\n" * 3,
    "c.txt": "Negotiations on the withdrawal resumed in Baghdad.\n" * 3,
}
SHA = {doc: f"sha-{doc}" for doc in TEXTS}


def _add(store: AnnotationStore, doc: str, start: int, end: int, tags, note: str = ""):
    return store.add(doc, TEXTS[doc], SHA[doc], start, end, tags, note)


def seed(folder: Path) -> None:
    """The state every operation starts from: two documents carrying `old`, a codebook with a
    colour and a description that a half-done rename would lose."""
    store = AnnotationStore(folder, creator="seed")
    store.set_tag("old", color="#123456", description="the tag being renamed")
    store.set_tag("keep", color="#654321")
    store.set_tag("other", color="#0000ff", description="a merge target")
    _add(store, "a.txt", 0, 9, ["old", "keep"], "first")
    _add(store, "a.txt", 20, 26, ["old/child"])
    _add(store, "b.txt", 2, 7, ["old"])
    _add(store, "b.txt", 10, 14, ["keep"])
    store.set_attributes("c.txt", outlet="Shafaq")


def _import_file(work: Path) -> Path:
    """A W3C file of 6 annotations over 3 documents, 2 of its tags new to the store."""
    from reader.export import export

    src = work / "import-src"
    store = AnnotationStore(src / "ann", creator="elsewhere")
    items = [
        NewAnnotation(doc, TEXTS[doc], SHA[doc], s, s + 5, tags)
        for doc in TEXTS
        for s, tags in ((30, ["imported/x"]), (40, ["imported/y", "keep"]))
    ]
    store.add_many(items)
    paths = _paths(work, src / "ann")
    out = work / "import.jsonld"
    export("w3c", paths=paths, store=store, output=out)
    return out


def _paths(work: Path, annotations: Path):
    from reader.paths import Paths

    return Paths(corpus=work / "corpus", annotations=annotations, index=work / "index")


def _corpus(work: Path):
    from index.corpus import Corpus

    return Corpus(work / "corpus")


@dataclass
class Operation:
    name: str
    run: Callable[[AnnotationStore, Path], object]
    prepare: Callable[[AnnotationStore, Path], object] | None = None  # before arming (undo needs it)
    retry: bool = True


def _import(store: AnnotationStore, work: Path):
    from reader.importer import import_file

    report = import_file(work / "import.jsonld", store, _corpus(work), on_conflict="add")
    assert report.added == 6, str(report)


def _auto_code(store: AnnotationStore, work: Path):
    store.add_many([NewAnnotation(doc, TEXTS[doc], SHA[doc], 50, 55, ["auto"]) for doc in TEXTS])


OPERATIONS = [
    Operation("tag with a new tag", lambda s, w: _add(s, "a.txt", 30, 35, ["brand-new"])),
    Operation("edit to a new tag", lambda s, w: s.edit(s.annotations("b.txt")[1].id, tags=["fresh"])),
    Operation("rename tag", lambda s, w: s.rename_tag("old", "renamed")),
    Operation("merge tags", lambda s, w: s.merge_tags(["old", "old/child"], "other")),
    Operation("delete tag (remove)", lambda s, w: s.delete_tag("old", on_use="remove")),
    Operation("delete tag (annotations)", lambda s, w: s.delete_tag("old", on_use="delete_annotations")),
    Operation("auto-code 3 documents", _auto_code),
    Operation("import 6 annotations", _import),
    Operation("undo rename", lambda s, w: s.undo(), prepare=lambda s, w: s.rename_tag("old", "renamed"), retry=False),
    Operation(
        "redo rename",
        lambda s, w: s.redo(),
        prepare=lambda s, w: (s.rename_tag("old", "renamed"), s.undo()),
        retry=False,
    ),
    Operation(
        "undo delete tag",
        lambda s, w: s.undo(),
        prepare=lambda s, w: s.delete_tag("old", on_use="delete_annotations"),
        retry=False,
    ),
    Operation("undo import", lambda s, w: s.undo(), prepare=_import, retry=False),
]

AFTER_ACK = "z.txt"  # the single-file change the child makes after acknowledging


def snapshot(folder: Path) -> tuple:
    """What a user sees of the store, without ids and times; the after-ack document left out."""
    store = AnnotationStore(folder)
    anns = sorted(
        (a.doc, a.start, a.end, a.quote.exact, tuple(sorted(a.tags)), a.note)
        for a in store.annotations()
        if a.doc != AFTER_ACK
    )
    codebook = sorted((t.name, t.color, t.description) for t in store.tags())
    attrs = sorted(
        (d, tuple(sorted(store.attributes(d).attributes.items()))) for d in store.documents() if d != AFTER_ACK
    )
    problems = [str(p) for p in store.problems]
    return anns, codebook, attrs, problems


@dataclass
class Outcome:
    name: str
    points: int = 0
    kills: int = 0
    lost: int = 0
    half: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _child(op: Operation, folder: Path, work: Path, crash_at: int, ack_fd: int) -> None:
    try:
        store = AnnotationStore(folder, creator="writer")
        if op.prepare is not None:
            op.prepare(store, work)
        crashpoints.arm(crash_at)
        op.run(store, work)
        os.write(ack_fd, b"op\n")
        TEXTS.setdefault(AFTER_ACK, "after the acknowledgement\n")
        SHA.setdefault(AFTER_ACK, "sha-z")
        _add(store, AFTER_ACK, 0, 5, ["keep"])
        os.write(ack_fd, b"second\n")
        os._exit(0)
    except BaseException as exc:  # noqa: BLE001 - report anything to the parent
        os.write(ack_fd, f"error {type(exc).__name__}: {exc}\n".encode())
        os._exit(3)


def _run_child(op: Operation, folder: Path, work: Path, crash_at: int) -> tuple[int, list[str]]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(op, folder, work, crash_at, write_fd)
    os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 4096):
        chunks.append(chunk)
    os.close(read_fd)
    _pid, status = os.waitpid(pid, 0)
    return status, b"".join(chunks).decode().split()


def _check_files(folder: Path) -> list[str]:
    bad = []
    for path in folder.rglob("*.json"):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            bad.append(f"{path.name} does not parse: {exc}")
    return bad


def crash_everywhere(op: Operation, work: Path, template: Path, max_points: int = 500) -> Outcome:
    """Kill `op` at point 1, 2, ... until it completes; check every state after a kill."""
    out = Outcome(op.name)
    started = time.perf_counter()
    folder = work / "ann"

    def fresh() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(template, folder)

    fresh()
    if op.prepare is not None:  # the state before the armed call, made the way the child makes it
        status, said = _run_child(Operation("prepare", lambda s, w: None, op.prepare), folder, work, 0)
    before = snapshot(folder)
    fresh()
    status, said = _run_child(op, folder, work, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:
        out.failures.append(f"{op.name} fails without a kill: {' '.join(said)}")
        return out
    after = snapshot(folder)
    if after == before:
        out.failures.append(f"{op.name} changes nothing")
    for crash_at in range(1, max_points + 1):
        fresh()
        status, said = _run_child(op, folder, work, crash_at)
        if not os.WIFSIGNALED(status):
            out.points = crash_at - 1
            if "second" not in said:
                out.failures.append(f"point {crash_at}: ran through but said {said}")
            break
        out.kills += 1
        acked = "op" in said
        out.failures += [f"point {crash_at}: {m}" for m in _check_files(folder)]
        state = snapshot(folder)
        if (folder / ".journal").exists():
            out.failures.append(f"point {crash_at}: the journal is still there after the open")
        if acked and state != after:
            out.lost += 1
        elif state not in (before, after):
            out.half += 1
        if state[3]:
            out.failures.append(f"point {crash_at}: problems {state[3]}")
        store = AnnotationStore(folder)
        with store._locked():  # the next writer: sweeps what the killed one left
            pass
        temps = [p.name for p in folder.rglob("*.tmp")]
        if temps:
            out.failures.append(f"point {crash_at}: temp files left: {temps}")
        if state == before and op.retry:
            try:
                op.run(store, work)
            except Exception as exc:  # noqa: BLE001
                out.failures.append(f"point {crash_at}: the retry failed: {exc}")
            else:
                if snapshot(folder) != after:
                    out.failures.append(f"point {crash_at}: the retry gave another state")
    else:
        out.failures.append(f"{op.name}: still killed after {max_points} points")
    out.seconds = time.perf_counter() - started
    return out


def prepare_work(work: Path) -> Path:
    """The corpus, the import file and the seeded store template under `work`."""
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for doc, text in TEXTS.items():
        (corpus / doc).write_text(text, encoding="utf-8")
    for doc in list(TEXTS):  # the corpus's own hashes, so the import matches by content
        from index.corpus import Corpus

        SHA[doc] = Corpus(corpus).load(doc).sha256
    template = work / "template"
    seed(template)
    _import_file(work)
    return template


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", default="", help="comma-separated operation names (default: all)")
    args = parser.parse_args()
    wanted = [o for o in OPERATIONS if not args.ops or o.name in args.ops.split(",")]
    with tempfile.TemporaryDirectory(prefix="crash-points-") as tmp:
        work = Path(tmp)
        template = prepare_work(work)
        print("| operation | points | kills | lost | half-applied | other failures | seconds |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        totals = Outcome("total")
        for op in wanted:
            o = crash_everywhere(op, work, template)
            print(f"| {o.name} | {o.points} | {o.kills} | {o.lost} | {o.half} | {len(o.failures)} | {o.seconds:.1f} |")
            for f in o.failures[:5]:
                print(f"  - {f}", file=sys.stderr)
            totals.points += o.points
            totals.kills += o.kills
            totals.lost += o.lost
            totals.half += o.half
            totals.failures += o.failures
            totals.seconds += o.seconds
        print(
            f"| **all {len(wanted)}** | {totals.points} | {totals.kills} | {totals.lost} | {totals.half} | "
            f"{len(totals.failures)} | {totals.seconds:.1f} |"
        )


if __name__ == "__main__":
    main()
