"""Every benchmark script still starts: `--help` imports all it uses and exits 0.

The benches are run by hand, so a rename in the code they import (bench_views imported a
private cache that a refactor had moved) went unseen until a re-measurement failed. Scripts
without options (they start measuring at once) are not run here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
WITH_OPTIONS = sorted(p.name for p in BENCH.glob("*.py") if "argparse" in p.read_text(encoding="utf-8"))


def test_most_benchmarks_have_options():
    assert len(WITH_OPTIONS) >= 14, WITH_OPTIONS


@pytest.mark.parametrize("script", WITH_OPTIONS)
def test_a_benchmark_script_starts(script, tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "READER_BENCH_DATA": str(tmp_path / "data")},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage:" in result.stdout.lower()
