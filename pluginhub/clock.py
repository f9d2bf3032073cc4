"""The one source of "now" for every rule, timestamp and schedule.

Rules that depend on time (quotas over 24 hours, scheduled releases, link
expiry) read it from here, so a test can move time instead of sleeping:
`clock.stop_at(moment)` or `clock.advance(seconds)`; `clock.reset()` goes back
to the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.stopped_at: datetime | None = None

    def now(self) -> datetime:
        """The current moment, in UTC."""
        if self.stopped_at is not None:
            return self.stopped_at
        return datetime.now(UTC) + self.offset


_clock = Clock()


def now() -> datetime:
    return _clock.now()


def stop_at(moment: datetime) -> None:
    """Stop the clock at `moment` (tests)."""
    _clock.stopped_at = moment


def advance(seconds: float) -> None:
    """Move the clock forward, stopped or running (tests)."""
    if _clock.stopped_at is not None:
        _clock.stopped_at += timedelta(seconds=seconds)
    else:
        _clock.offset += timedelta(seconds=seconds)


def reset() -> None:
    _clock.offset, _clock.stopped_at = timedelta(0), None
