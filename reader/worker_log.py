"""No worker failure in the app is silent: each is logged with its traceback, and shown.

Textual workers started with `exit_on_error=False` keep the app running when they raise, and
their exception goes only to the screen that started them, as a `Worker.StateChanged` message
that does not bubble: a screen without a handler dropped it, with no trace anywhere. So the
app's worker manager looks at every worker when it finishes: a failed one is written to the log
file (reader/logs.py) with its traceback, and when the worker's node has no handler of its own
a notification says what failed and where the details are.

This overrides `WorkerManager._remove_worker`, the done-callback Textual 8.2.8 (pinned) calls
for every worker; tests/test_app_failures.py fails if that stops being called.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState
from textual.worker_manager import WorkerManager

from reader.logs import log_failure
from reader.safe_text import sanitize

HANDLER = "on_worker_state_changed"


class LoggingWorkerManager(WorkerManager):
    """The app's worker manager: logs (and, if nobody else does, shows) failed workers."""

    def _remove_worker(self, worker: Worker) -> None:
        super()._remove_worker(worker)
        if worker.state != WorkerState.ERROR or worker.error is None:
            return
        what = worker.group if worker.group not in ("", "default") else (worker.name or "task")
        path = log_failure(f"worker {what!r} of {type(worker.node).__name__}", worker.error)
        if not hasattr(worker.node, HANDLER):  # the node shows its own failures otherwise
            where = f" Details: {path}" if path is not None else ""
            self._app.notify(
                sanitize(f"A task failed ({what}): {worker.error}.{where}"), severity="error", markup=False, timeout=15
            )
