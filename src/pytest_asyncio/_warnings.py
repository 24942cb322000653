"""The warning classes the plugin emits; one base class, exported from ``pytest_asyncio``."""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from pathlib import Path
from typing import Final

import pytest


class PytestAsyncioWarning(pytest.PytestWarning):
    """Base class of every warning pytest-asyncio-ng emits."""


class PytestAsyncioDeprecationWarning(PytestAsyncioWarning, pytest.PytestDeprecationWarning):
    """A feature or usage that still works but will be removed; the message says what to use."""


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
