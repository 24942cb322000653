"""The warning classes the plugin emits; one base class, exported from ``pytest_asyncio``."""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from pathlib import Path
from typing import Final

import pytest


class PytestAsyncioWarning(pytest.PytestWarning):
    """Base class of every warning pytest-asyncio-ng emits.

    Issued itself for a sync test marked ``asyncio`` (the mark does nothing there), for a loop
    that user code closed before its scope ended, and for an ``event_loop`` fixture override
    that no test used. Each warning points at the user's code it is about (the test, the
    fixture, the conftest line), and can be filtered by class like any warning, e.g.
    ``-W error::pytest_asyncio.PytestAsyncioWarning``.
    """


class PytestAsyncioDeprecationWarning(PytestAsyncioWarning, pytest.PytestDeprecationWarning):
    """A feature or usage that still works but will be removed; the message says what to use.

    Issued for the ``event_loop`` fixture, requested or overridden; an ``event_loop_policy``
    override; the marker's ``scope=`` keyword; an async fixture declared with
    ``@pytest.fixture`` in strict mode; and ``asyncio_mode = legacy``. Being a
    ``DeprecationWarning`` too, it is shown by default and caught by filters on either class.
    """


def location(node: pytest.Item | pytest.Collector) -> tuple[str, int]:
    """The file and 1-based line of the user's code that *node* stands for."""
    reportinfo = getattr(node, "reportinfo", None)
    if reportinfo is None:
        return str(node.path), 1
    path, lineno, _ = reportinfo()
    return str(path), (lineno or 0) + 1


def warn_at(node: pytest.Item | pytest.Collector, warning: Warning) -> None:
    """Issue *warning* at the user's code that *node* stands for, not at the plugin's."""
    __tracebackhide__ = True
    filename, lineno = location(node)
    warnings.warn_explicit(warning, category=None, filename=filename, lineno=lineno)


_WARNED: Final = pytest.StashKey[set[Hashable]]()


def warn_once(
    config: pytest.Config, key: Hashable, warning: Warning, path: Path | str, lineno: int
) -> None:
    """Issue *warning* at *path*:*lineno* the first time this session sees *key*."""
    __tracebackhide__ = True
    warned = config.stash.setdefault(_WARNED, set())
    if key not in warned:
        warned.add(key)
        warnings.warn_explicit(warning, category=None, filename=str(path), lineno=lineno)
