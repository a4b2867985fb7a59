"""A real, throwaway PostgreSQL server for the tests of the PostgreSQL store.

`pg_server` (one per test session and xdist worker) runs `initdb` and `pg_ctl start` from the
installed PostgreSQL (Debian: /usr/lib/postgresql/N/bin) on a data folder and a Unix socket in a
temporary folder, with no TCP port, and stops it (`pg_ctl stop -m immediate`) when the session
ends, a test failure included (and at interpreter exit, should the fixture's teardown not run).
A watchdog process stops it too when the test process is killed (its pipe closes).
`initdb` refuses to run as root, so as root the server runs as the `postgres` user (Python's
`subprocess` switches user itself: no sudo, runuser or setpriv needed). Where PostgreSQL is not
installed the tests that use it are skipped with that reason.

Authentication is what a team's server would have: the admin role connects by `trust`, every
other role needs its password (scram-sha-256), so the tests of credentials (PGPASSWORD,
~/.pgpass) and of row-level security go through the real checks. `pg_url` gives each test a
new database on the shared server, dropped afterwards.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ADMIN = "reader_admin"
WATCHDOG = """
import os, shutil, subprocess, sys
sys.stdin.read()  # returns when the test process has ended (or closed the pipe)
pg_ctl, data, base, *ids = sys.argv[1:]
who = {"user": int(ids[0]), "group": int(ids[1]), "extra_groups": []} if ids else {}
if os.path.exists(data):
    subprocess.run([pg_ctl, "stop", "-m", "immediate", "-D", data], capture_output=True,
                   cwd="/", timeout=60, **who)
shutil.rmtree(base, ignore_errors=True)
"""
_counter = itertools.count(1)


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or the one on PATH, or None."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class PostgresServer:
    bin_dir: Path
    base: Path  # holds data/, the socket and the log
    user: pwd.struct_passwd | None  # who runs the server (None: this process's user)
    started: bool = False

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        kwargs = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.base,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            **kwargs,
        )

    def start(self) -> None:
        done = self._run(
            "initdb", "-D", str(self.data), "-U", ADMIN, "-E", "UTF8", "--locale=C", "--no-sync", "--auth=trust"
        )
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")
        hba = self.data / "pg_hba.conf"
        # the admin by trust (the fixture sets up roles and databases); everyone else by password
        hba.write_text(f"local all {ADMIN} trust\nlocal all all scram-sha-256\n")
        self._pg_ctl_start()
        self.started = True
        self._watchdog = self._start_watchdog()

    def _pg_ctl_start(self) -> None:
        options = f"-k {self.socket_dir} -c listen_addresses='' -c max_connections=60"
        if os.environ.get("READER_PG_DURABLE") != "1":  # tests: nothing to keep, no fsync
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        done = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log), "-o", options)
        if done.returncode:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stdout}{done.stderr}{log}")

    def pause(self) -> None:
        """Stop the server, keeping its data (clients see it unreachable until `resume`)."""
        done = self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", "fast", "-D", str(self.data))
        if done.returncode:
            raise RuntimeError(f"pg_ctl stop failed: {done.stdout}{done.stderr}")

    def resume(self) -> None:
        self._pg_ctl_start()

    def _start_watchdog(self) -> subprocess.Popen:
        """A process that stops the server and removes its folder when this one ends however it
        ends (SIGTERM, SIGKILL included: its end of the pipe then reads EOF)."""
        ids = [str(self.user.pw_uid), str(self.user.pw_gid)] if self.user is not None else []
        return subprocess.Popen(
            [sys.executable, "-c", WATCHDOG, str(self.bin_dir / "pg_ctl"), str(self.data), str(self.base), *ids],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=self.base,
        )

    def stop(self) -> None:
        if self.started:
            self.started = False
            self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))
        watchdog = getattr(self, "_watchdog", None)
        if watchdog is not None:
            watchdog.stdin.close()  # nothing left for it to do: it exits
            watchdog.wait(timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = ADMIN) -> str:
        return f"postgresql://{user}@/{database}?host={self.socket_dir}"

    def admin(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def create_database(self) -> str:
        name = f"reader_test_{os.getpid()}_{next(_counter)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_role(self, name: str, password: str, login: bool = True) -> None:
        from psycopg import sql

        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} {} PASSWORD {}").format(
                    sql.Identifier(name), sql.SQL("LOGIN" if login else "NOLOGIN"), sql.Literal(password)
                )
            )


def start_server() -> PostgresServer:
    """Start a server, or skip the calling test saying why one cannot be started here."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install -e '.[test]')")
    user = None
    if os.geteuid() == 0:  # initdb refuses root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL as")
    base = Path(tempfile.mkdtemp(prefix="reader-pg-"))
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    os.chmod(base, 0o755)  # the socket must be reachable; data/ itself is 0700 (initdb)
    server = PostgresServer(bin_dir, base, user)
    atexit.register(server.stop)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def pg_server():
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server):
    """The address of a new, empty database on the test server (the admin role)."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)
