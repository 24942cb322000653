"""Async fixtures: adapting their setup; and every fixture the plugin provides, each doing
its work in the module of its feature, imported when the fixture is used.

asyncio and the modules that run loops are imported when the first fixture of ours is set up:
a suite without async code does not pay for them.
"""

from __future__ import annotations

import sys
import types
import warnings
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from pytest_asyncio._inspect import surely_sync, surely_sync_fixture

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from pytest_asyncio._clock._virtual import VirtualClock
    from pytest_asyncio._compat import FixtureDef, SubRequest

#: The fixtures of ours that users used to override (``_overrides.NAMES``).
_OVERRIDABLE = frozenset({"event_loop_policy", "event_loop"})


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: FixtureDef[Any], request: SubRequest
) -> Generator[None, object, object]:
    __tracebackhide__ = True
    if fixturedef.argname in _OVERRIDABLE:
        return (yield from _override_setup(fixturedef, request))
    if surely_sync_fixture(fixturedef.func):
        if fixturedef.scope == "function":
            return (yield)  # most fixtures of most suites: nothing to do, nothing to import
        from pytest_asyncio import _compat

        if surely_sync(_compat.request_item(request)):
            return (yield)  # set up for a sync test: no loop to make current
    return (yield from _fixtures().setup(fixturedef, request))


def _fixtures() -> types.ModuleType:
    # A lookup in sys.modules: an import statement costs every setup of an async fixture more.
    # Not cached here: pytester's in-process runs take the modules they imported out again.
    module = sys.modules.get("pytest_asyncio._fixtures")
    if module is not None:
        return module
    from pytest_asyncio import _fixtures

    return _fixtures


def _override_setup(
    fixturedef: FixtureDef[Any], request: SubRequest
) -> Generator[None, object, object]:
    """Our legacy fixtures, or a user's override of one, which gets its deprecation warning
    once it is set up: raised (under filterwarnings = error) before, it would leave the fixture
    half set up."""
    __tracebackhide__ = True
    result = yield
    from pytest_asyncio import _overrides

    _overrides.setting_up(fixturedef, request.config)
    return result


@pytest.fixture(scope="session")
def event_loop_policy() -> asyncio.AbstractEventLoopPolicy:
    """The event loop policy whose ``new_event_loop()`` makes the loops of async tests.

    Overriding this fixture still works but is deprecated: implement the
    ``pytest_asyncio_loop_factories`` hook instead.
    """
    import asyncio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return asyncio.get_event_loop_policy()


@pytest.fixture
def event_loop(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoop:
    """Deprecated: the event loop the requesting test runs on.

    In async code use ``asyncio.get_running_loop()``; to share a loop between tests, use the
    ``loop_scope`` of the asyncio marker and of ``pytest_asyncio.fixture``.
    """
    from pytest_asyncio import _collect, _messages
    from pytest_asyncio._warnings import PytestAsyncioDeprecationWarning, location, warn_once

    item = request.node
    message = _messages.EVENT_LOOP_FIXTURE_REQUESTED.format(nodeid=item.nodeid)
    warning = PytestAsyncioDeprecationWarning(message)
    warn_once(request.config, "event_loop fixture", warning, *location(item))
    from pytest_asyncio import _loops  # imports asyncio: only when the fixture is used

    spec = _collect.spec_of(item)
    scope = spec.loop_scope if spec is not None else "function"
    return _loops.runner_for(item, item, scope).loop


@pytest.fixture
def virtual_clock(request: pytest.FixtureRequest) -> VirtualClock:
    """The virtual clock of the test's event loop: requesting it runs the test on virtual
    time. Read the loop's time with ``time()``, move it with ``jump(seconds)``; ``rate`` and
    ``autojump_threshold`` are its knobs, back to their defaults for each test."""
    __tracebackhide__ = True
    from pytest_asyncio._plugins import clock

    return clock.virtual_clock(request)


@pytest.fixture
def unused_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that was free when the test started."""
    from pytest_asyncio import _ports

    return _ports.free_port(_ports.TCP)


@pytest.fixture
def unused_udp_port() -> int:
    """A UDP port on 127.0.0.1 that was free when the test started."""
    from pytest_asyncio import _ports

    return _ports.free_port(_ports.UDP)


@pytest.fixture(scope="session")
def unused_tcp_port_factory() -> Callable[[], int]:
    """Call it for a free TCP port on 127.0.0.1; no port is returned twice in a session."""
    from pytest_asyncio import _ports

    return _ports.factory(_ports.TCP)


@pytest.fixture(scope="session")
def unused_udp_port_factory() -> Callable[[], int]:
    """Call it for a free UDP port on 127.0.0.1; no port is returned twice in a session."""
    from pytest_asyncio import _ports

    return _ports.factory(_ports.UDP)
