"""Progress lines: to Dagster's log always, and to the console under ``ccwh build``.

``ccwh build`` silences Dagster's own console logging (dozens of lines per step) and sets
``CCWH_BUILD_PROGRESS=1`` so the steps print a few readable lines instead; in the Dagster UI
the same lines are in the run's log.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

PROGRESS_ENV = "CCWH_BUILD_PROGRESS"

_console: list[TextIO] = []  # the real stdout while quiet_stdout() diverts sys.stdout


def enabled() -> bool:
    return bool(os.environ.get(PROGRESS_ENV))


def say(context: Any, message: str) -> None:
    """Log ``message`` to the run's log; under ``ccwh build`` print it on the console too."""
    context.log.info(message)
    if enabled():
        stream = _console[-1] if _console else sys.stdout
        print(message, file=stream, flush=True)


@contextlib.contextmanager
def quiet_stdout(log_file: Path) -> Iterator[None]:
    """Under ``ccwh build``, send what a library writes to stdout (dagster-dbt echoes every
    dbt log line) to ``log_file`` instead of the console. Elsewhere (``dagster dev``) stdout
    is the run's captured compute log, so it is left alone."""
    if not enabled():
        yield
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "a", encoding="utf-8") as sink:
        _console.append(sys.stdout)
        try:
            with contextlib.redirect_stdout(sink):
                yield
        finally:
            _console.pop()
