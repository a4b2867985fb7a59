"""index/atomic.py: the one atomic write (exports, manifest, extraction cache, dialog state, the
merge driver's result)."""

from __future__ import annotations

import os
import stat

import pytest

from index.atomic import write_atomic


def test_replaces_the_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    write_atomic(target, b"newer", durable=False)
    assert target.read_bytes() == b"newer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_failed_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_bytes(b"old")

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_the_file_gets_the_mode_open_would_give(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "out.txt", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644
