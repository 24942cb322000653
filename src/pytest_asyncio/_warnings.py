"""The warning classes the plugin emits; one base class, exported from ``pytest_asyncio``."""

from __future__ import annotations

import pytest


class PytestAsyncioWarning(pytest.PytestWarning):
    """Base class of every warning pytest-asyncio-ng emits."""


class PytestAsyncioDeprecationWarning(PytestAsyncioWarning, pytest.PytestDeprecationWarning):
    """A feature or usage that still works but will be removed; the message says what to use."""
