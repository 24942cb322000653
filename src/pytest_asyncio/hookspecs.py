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

    Return a non-empty mapping from a non-empty name to a zero-argument callable that returns a
    new event loop. Every async test is run once per factory, with the name as its parameter id
    (``test_x[uvloop]``; no id with a single factory); the marker argument
    ``loop_factories=[...]`` narrows the choice for a test. Implemented in a conftest.py, the
    hook applies to the tests below it. The first non-None result wins; None from every
    implementation, or an unusable result, is a collection error naming the implementation.

    At collection *item* is the test's ``FunctionDefinition``. The hook is asked again for a
    sync test whose async fixtures need a loop (None then means the default loop).
    """
