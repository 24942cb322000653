"""Timeouts: the ``--asyncio-timeout`` option and ini key, read once at configure time.

The marker's ``timeout=`` is parsed with the rest of the marker (``_marks``); the limit of each
job is applied where the job runs (``_loops.run``).
"""

from __future__ import annotations

import pytest

from pytest_asyncio import _timeouts


def pytest_addoption(parser: pytest.Parser) -> None:
    _timeouts.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    __tracebackhide__ = True
    config.stash[_timeouts.LIMIT_KEY] = _timeouts.configured(config)
