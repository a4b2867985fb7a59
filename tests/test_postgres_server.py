"""The test server itself: it is gone (process and folder) even when the test process is killed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from postgres_server import find_bin_dir
from waiting import wait_until

KILLED = r"""
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from postgres_server import start_server
server = start_server()
print(server.base, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no finally, no atexit
"""


@pytest.mark.skipif(find_bin_dir() is None, reason="PostgreSQL is not installed")
def test_a_killed_test_process_leaves_no_server_behind():
    tests = str(Path(__file__).resolve().parent)
    done = subprocess.run([sys.executable, "-c", KILLED, tests], capture_output=True, text=True, timeout=180)
    assert done.returncode == -9, done.stderr
    base = Path(done.stdout.strip())
    assert base.name.startswith("reader-pg-")
    wait_until(lambda: not base.exists(), "the watchdog to stop the server and remove its folder")
    pids = subprocess.run(["pgrep", "-f", f"postgres -D {base}/data"], capture_output=True, text=True)
    assert pids.stdout.strip() == ""
