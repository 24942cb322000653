"""Checks that fail the test that caused an async bug: which are on, for the session and for
each test (``asyncio_checks``, ``--asyncio-checks``, the marker's ``checks=``), and the
blocking threshold.

This module does not import asyncio: the configuration is read in every run. The checks
themselves live in the modules of this package, and are imported only when one is on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, NamedTuple

import pytest

from pytest_asyncio import _settings
from pytest_asyncio._settings import cli_origin, ini_origin, invalid, read_ini

# The names, keys and flags are declared with the other settings (see _settings).
#: Every check, in the order reports list them.
NAMES: Final = _settings.CHECK_NAMES
TASK_EXCEPTIONS, TASK_LEAKS, UNAWAITED, BLOCKING = NAMES
#: What a list of checks may hold, as a message lists it.
CHOICES: Final = _settings.CHECK_CHOICES
ALL, NONE = CHOICES[len(NAMES) :]
KEY: Final = _settings.CHECKS_KEY
FLAG: Final = _settings.CHECKS_FLAG
THRESHOLD_KEY: Final = _settings.THRESHOLD_KEY
THRESHOLD_FLAG: Final = _settings.THRESHOLD_FLAG
DEFAULT_THRESHOLD: Final = _settings.DEFAULT_THRESHOLD

THRESHOLD_VALID: Final = ("a number of seconds greater than 0",)

Checks = frozenset[str]
NO_CHECKS: Final[Checks] = frozenset()

CONFIG_KEY: Final = pytest.StashKey["CheckConfig"]()


class CheckConfig(NamedTuple):
    #: The checks on for every test, unless its marker says otherwise.
    checks: Checks = NO_CHECKS
    #: Seconds a callback or task step may hold the loop (the blocking check).
    threshold: float = DEFAULT_THRESHOLD


class ChecksError(ValueError):
    """A list of checks names one that does not exist: :attr:`names` are the unknown ones,
    as written."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names

    def suggestions(self) -> str:
        """What each unknown name probably meant, to append to a message ("" if nothing)."""
        from pytest_asyncio import _messages

        if len(self.names) == 1:
            return _messages.suggesting("", self.names[0], CHOICES)
        hints = []
        for name in self.names:
            match = _messages.close_match(name, CHOICES)
            if match is not None:
                hints.append(_messages.DID_YOU_MEAN_INSTEAD.format(suggestion=match, name=name))
        return "".join(f" {hint}" for hint in hints)


class NotChecksError(TypeError):
    """A list of checks holds something that is not a name (a number, say)."""


def parse(value: str | Iterable[str]) -> Checks:
    """The checks a list names: a string, or the strings of an iterable, each split at commas
    and spaces. Raise ChecksError with the unknown names, NotChecksError if an item is not a
    string."""
    items = [value] if isinstance(value, str) else list(value)
    checks: set[str] = set()
    unknown: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise NotChecksError(item)
        for word in re.split(r"[\s,]+", item.strip()):
            name = word.lower()
            if not name or name == NONE:
                continue
            if name == ALL:
                checks.update(NAMES)
            elif name in NAMES:
                checks.add(name)
            else:
                unknown.append(word)
    if unknown:
        raise ChecksError(unknown)
    return frozenset(checks)


def configured(config: pytest.Config) -> CheckConfig:
    """The session's checks and threshold, from the command line, else the ini file; raise
    UsageError if a value is invalid."""
    __tracebackhide__ = True
    value, flag = _read(config, KEY, FLAG, CHOICES)
    try:
        checks = NO_CHECKS if value is None else parse(str(value))
    except ChecksError as error:
        from pytest_asyncio import _messages

        origin = _origin(config, KEY, flag)
        message = _messages.UNKNOWN_CHECKS.format(
            names=error, origin=origin, choices=", ".join(CHOICES)
        )
        raise pytest.UsageError(message + error.suggestions()) from None
    raw, flag = _read(config, THRESHOLD_KEY, THRESHOLD_FLAG, THRESHOLD_VALID)
    threshold = DEFAULT_THRESHOLD
    if raw is not None:
        seconds = _seconds(raw)
        if seconds is None:
            origin = _origin(config, THRESHOLD_KEY, flag)
            raise invalid(THRESHOLD_KEY, raw, origin, THRESHOLD_VALID)
        threshold = seconds
    return CheckConfig(checks, threshold)


def _read(
    config: pytest.Config, key: str, flag: str, choices: tuple[str, ...]
) -> tuple[object, str | None]:
    """The value of *key*, and *flag* if it came from the command line (None: the ini)."""
    value: object = config.getoption(key)
    if value is not None:
        return value, flag
    return read_ini(config, key, choices=choices), None


def _origin(config: pytest.Config, key: str, flag: str | None) -> str:
    return ini_origin(config, key) if flag is None else cli_origin(flag)


def _seconds(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if 0 < seconds < float("inf") else None


def header(config: CheckConfig) -> str:
    """What the report header's asyncio line ends with: nothing when no check is on."""
    if not config.checks:
        return ""
    names = ",".join(name for name in NAMES if name in config.checks)
    if BLOCKING in config.checks:
        return f", {KEY}={names}, {THRESHOLD_KEY}={config.threshold:g}"
    return f", {KEY}={names}"


def for_item(item: pytest.Item) -> Checks:
    """The checks on for *item*: its asyncio marker's ``checks=``, else the session's."""
    from pytest_asyncio import _collect

    spec = _collect.spec_of(item)
    if spec is not None and spec.checks is not None:
        return spec.checks
    config = item.config.stash.get(CONFIG_KEY, None)
    return NO_CHECKS if config is None else config.checks
