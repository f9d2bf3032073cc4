"""The directory worker processes share their metric samples through.

Kept apart from `metrics` on purpose: prometheus-client decides at import
whether samples go to files, by reading `PROMETHEUS_MULTIPROC_DIR` once, so
`serve` must set it before anything imports the client, in its own process
as in the workers it starts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def multiprocess_directory() -> Iterator[Path]:
    """An operator's `PROMETHEUS_MULTIPROC_DIR` (emptied of the last run's samples),
    or a temporary directory removed at the end."""
    given = os.environ.get(MULTIPROC_ENV)
    path = Path(given) if given else Path(tempfile.mkdtemp(prefix="pluginhub-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(path)
    # uvicorn shuts down gracefully on SIGTERM, then raises it again for the
    # previous handler: this one, which exits through the `finally` below.
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield path
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not given:
            shutil.rmtree(path, ignore_errors=True)
            os.environ.pop(MULTIPROC_ENV, None)
