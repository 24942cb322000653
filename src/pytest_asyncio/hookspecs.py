"""The hooks pytest-asyncio-ng adds to pytest, registered in ``pytest_addhooks``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import asyncio


@pytest.hookspec(firstresult=True)
def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]] | None:
    """Name the event loop factories the async tests of *item* run on.

    Return a non-empty mapping from a name to a zero-argument callable that returns a new
    event loop, or None for the default loop. With more than one factory, every async test is
    run once per factory, with the name as its parameter id (``test_x[uvloop]``); the marker
    argument ``loop_factories=[...]`` narrows the choice for a test. Implemented in a
    conftest.py, the hook applies to the tests below it. The first non-None result wins.

    At collection *item* is the test's ``FunctionDefinition``; when a loop is created it is the
    test item the loop is created for.
    """
