"""Timeouts: the limit of each job (marker > command line > ini) and its deadline.

A test body, and separately each async fixture's setup and teardown step, runs under the
limit of its test. The watchdog thread (``_watchdog``) keeps the deadline on the real clock;
when it passes, the job's task is cancelled from inside its loop, after the await chain of
the job and of every other pending task on the loop has been recorded for the report. The
job's cleanup code runs, pytest runs the fixture teardowns, and the run goes on.

This module holds the configuration and each test's limit, read in every run; the deadline
that enforces a limit is in ``_deadlines``, imported by the first limited job.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Final, NamedTuple

import pytest

from ._settings import TIMEOUT_FLAG, TIMEOUT_KEY, cli_origin, ini_origin, invalid, read_ini

#: Declared with the other settings (see _settings).
KEY: Final = TIMEOUT_KEY
FLAG: Final = TIMEOUT_FLAG

if TYPE_CHECKING:
    from ._collect import TestSpec

VALID: Final = ("a number of seconds (0 for no limit)",)
LIMIT_KEY: Final = pytest.StashKey["Limit | None"]()
#: pytest-timeout's limit of an item, while it applies (set by ``_foreign``).
FOREIGN_KEY: Final = pytest.StashKey["Limit"]()


class Limit(NamedTuple):
    seconds: float
    #: Where it was set, as a user wrote it: "--asyncio-timeout=2", ...
    source: str


def seconds(value: object) -> float | None:
    """*value* as a limit in seconds (0 means none), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def configured(config: pytest.Config) -> Limit | None:
    """The limit set on the command line, else in the ini file; raise UsageError if invalid."""
    __tracebackhide__ = True
    value: object = config.getoption(KEY)
    if value is not None:
        origin = cli_origin(FLAG)
        source = f"{FLAG}={value}"
    else:
        value = read_ini(config, KEY, choices=VALID)
        if value is None:
            return None
        origin = ini_origin(config, KEY)
        source = f"{KEY} = {value} ({origin})"
    limit = seconds(value)
    if limit is None:
        raise invalid(KEY, value, origin, VALID)
    return Limit(limit, source) if limit else None


def header(limit: Limit | None) -> str:
    """What the report header's asyncio line ends with: nothing when no limit is set."""
    return "" if limit is None else f", {KEY}={limit.seconds:g}"


def limit_for(item: pytest.Item, spec: TestSpec | None) -> Limit | None:
    """The limit of *item*'s jobs: its asyncio marker's, else the configured one, else
    pytest-timeout's. *spec*: the item's (``_collect.spec_of``; None for a test not ours)."""
    if spec is not None and spec.timeout is not None:
        return _marked(spec.timeout)
    stash = item.config.stash
    # Not stash.get(): a miss (no limit set: the key is not there) raises and catches KeyError.
    limit = stash[LIMIT_KEY] if LIMIT_KEY in stash else None  # noqa: SIM401
    if limit is None and FOREIGN_KEY in item.stash:
        return item.stash[FOREIGN_KEY]
    return limit


@functools.lru_cache(maxsize=32)
def _marked(seconds: float) -> Limit | None:
    return Limit(seconds, f"@pytest.mark.asyncio(timeout={seconds:g})") if seconds else None
