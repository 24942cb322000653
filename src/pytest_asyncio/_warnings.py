"""The warning classes the plugin emits; one base class, exported from ``pytest_asyncio``."""

from __future__ import annotations

import warnings

import pytest


class PytestAsyncioWarning(pytest.PytestWarning):
    """Base class of every warning pytest-asyncio-ng emits."""


class PytestAsyncioDeprecationWarning(PytestAsyncioWarning, pytest.PytestDeprecationWarning):
    """A feature or usage that still works but will be removed; the message says what to use."""


def warn_at(node: pytest.Item | pytest.Collector, warning: Warning) -> None:
    """Issue *warning* at the user's code that *node* stands for, not at the plugin's."""
    reportinfo = getattr(node, "reportinfo", None)
    if reportinfo is not None:
        path, lineno, _ = reportinfo()
        filename, lineno = str(path), (lineno or 0) + 1
    else:
        filename, lineno = str(node.path), 1
    warnings.warn_explicit(warning, category=None, filename=filename, lineno=lineno)
