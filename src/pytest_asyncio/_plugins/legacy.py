"""The ``event_loop`` fixture of pytest-asyncio before 1.0, for suites written for it, and the
end-of-session warning about ``event_loop`` overrides that no test used.

Our fixture is deprecated, with one warning per session: it returns the loop the requesting
test runs on (a fresh function-scoped loop for a sync test, which may ``run_until_complete`` on
it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytest_asyncio import _collect, _messages, _overrides
from pytest_asyncio._warnings import PytestAsyncioDeprecationWarning, location, warn_once

if TYPE_CHECKING:
    import asyncio


@pytest.fixture
def event_loop(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoop:
    """Deprecated: the event loop the requesting test runs on.

    In async code use ``asyncio.get_running_loop()``; to share a loop between tests, use the
    ``loop_scope`` of the asyncio marker and of ``pytest_asyncio.fixture``.
    """
    item = request.node
    message = _messages.EVENT_LOOP_FIXTURE_REQUESTED.format(nodeid=item.nodeid)
    warning = PytestAsyncioDeprecationWarning(message)
    warn_once(request.config, "event_loop fixture", warning, *location(item))
    from pytest_asyncio import _loops  # imports asyncio: only when the fixture is used

    spec = _collect.spec_of(item)
    scope = spec.loop_scope if spec is not None else "function"
    return _loops.runner_for(item, item, scope).loop


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An event_loop override that no test set up can be deleted: say so, once."""
    _overrides.warn_unused(session.config)
