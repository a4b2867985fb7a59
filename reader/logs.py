"""The app's log file: every failure of a worker, with its traceback, where a user can find it.

A notification is gone after a few seconds and shows only the error's message; the log keeps
the traceback, so "indexing stopped" can be explained afterwards. The file is
`<user state dir>/reader/reader.log` (READER_STATE_DIR overrides the folder; `reader where`
style tools and the notifications name it), rotated at 1 MB with two old files kept.
Standard `logging`: other parts of the app log through `logging.getLogger("reader....")`, the
index layer through `logging.getLogger("index....")` (a fast search path that falls back to a
slow one says why: index/whoosh_internals.py), and their records land here once `setup()` has
run (every command and the app call it when they start).

`reader --verbose COMMAND` (or READER_VERBOSE=1) also prints the records, debug ones included,
on stderr, with control characters made visible (file names and texts are untrusted). Never
for the app: its terminal belongs to the screen, so there the file is the only place.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

import platformdirs

from reader.safe_text import sanitize

__all__ = ["log_file", "setup", "log_failure", "verbose_wanted", "to_stderr"]

LOGGER = "reader"
LOGGERS = (LOGGER, "index")  # the app's, and the headless index layer's
MAX_BYTES = 1024 * 1024
BACKUPS = 2

_handler: logging.Handler | None = None
_stderr: logging.Handler | None = None
VERBOSE_ENV = "READER_VERBOSE"


class _VisibleFormatter(logging.Formatter):
    """A record as one line a terminal cannot misread: escapes and control characters shown."""

    def format(self, record: logging.LogRecord) -> str:
        return sanitize(super().format(record))


def verbose_wanted() -> bool:
    """Whether READER_VERBOSE asks for the records on stderr (anything but empty, 0, no, false)."""
    return os.environ.get(VERBOSE_ENV, "").strip().lower() not in ("", "0", "no", "false", "off")


def to_stderr() -> None:
    """Also print every record (debug included) of the `reader` and `index` loggers on stderr."""
    global _stderr
    setup()
    handler = logging.StreamHandler(sys.stderr)  # the stderr of now (a test runner swaps it)
    handler.setFormatter(_VisibleFormatter("reader: %(levelname)s %(name)s: %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _stderr is not None:
            logger.removeHandler(_stderr)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    _stderr = handler


def log_file() -> Path:
    folder = os.environ.get("READER_STATE_DIR") or platformdirs.user_state_dir("reader")
    return Path(folder) / "reader.log"


def setup() -> Path | None:
    """Send the `reader` loggers' records to the log file (once); None if it cannot be opened."""
    global _handler
    path = log_file()
    if _handler is not None and getattr(_handler, "baseFilename", None) == str(path):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _handler is not None:
            logger.removeHandler(_handler)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if _stderr is not None else logging.INFO)
        logger.propagate = False  # never to a stderr handler: the terminal belongs to the app
    if _handler is not None:
        _handler.close()
    _handler = handler
    return path


def log_failure(what: str, error: BaseException, name: str = "app") -> Path | None:
    """Log `error` (with its traceback) as the failure of `what`; the log file's path."""
    path = setup()
    logging.getLogger(f"{LOGGER}.{name}").error(
        "%s failed: %s", what, error, exc_info=(type(error), error, error.__traceback__)
    )
    return path
