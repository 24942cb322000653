"""Virtual time: which tests run on it (``asyncio_clock``, ``--asyncio-clock``, the marker's
``clock=``, the ``virtual_clock`` fixture).

This module does not import asyncio: the configuration is read in every run. The clock itself
(``_virtual``) is imported only when a test uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pytest

from pytest_asyncio._settings import (
    CLOCK_FLAG,
    CLOCK_KEY,
    cli_origin,
    ini_origin,
    invalid,
    read_ini,
)

#: Declared with the other settings (see _settings).
KEY: Final = CLOCK_KEY
FLAG: Final = CLOCK_FLAG

if TYPE_CHECKING:
    from pytest_asyncio._collect import TestSpec

REAL: Final = "real"
VIRTUAL: Final = "virtual"
CHOICES: Final = (REAL, VIRTUAL)
#: The fixture that turns virtual time on for the test that requests it.
FIXTURE: Final = "virtual_clock"
#: The session's clock (REAL or VIRTUAL).
CONFIG_KEY: Final = pytest.StashKey[str]()


def as_clock(value: object) -> str | None:
    """*value* as a clock name, or None if it names none."""
    if not isinstance(value, str):
        return None
    name = value.strip().lower()
    return name if name in CHOICES else None


def configured(config: pytest.Config) -> str:
    """The session's clock: the command line's, else the ini file's, else real; raise
    UsageError if invalid."""
    __tracebackhide__ = True
    value: object = config.getoption(KEY)
    if value is not None:
        origin = cli_origin(FLAG)
    else:
        value = read_ini(config, KEY, choices=CHOICES)
        if value is None:
            return REAL
        origin = ini_origin(config, KEY)
    clock = as_clock(value)
    if clock is None:
        raise invalid(KEY, value, origin, CHOICES)
    return clock


def header(clock: str) -> str:
    """What the report header's asyncio line ends with: nothing for the real clock."""
    return "" if clock == REAL else f", {KEY}={clock}"


def is_virtual(config: pytest.Config, spec: TestSpec | None) -> bool:
    """Whether a test with *spec* (None: a sync test) runs on virtual time."""
    if spec is not None and spec.clock is not None:
        return spec.clock == VIRTUAL
    return config.stash.get(CONFIG_KEY, REAL) == VIRTUAL
