"""Async fixtures: adapting their setup, and the event_loop_policy fixture.

asyncio and the modules that run loops are imported when the first fixture of ours is set up:
a suite without async code does not pay for them.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from pytest_asyncio import _collect, _compat, _messages, _overrides
from pytest_asyncio._decorator import fixture_kind
from pytest_asyncio._settings import SETTINGS_KEY
from pytest_asyncio._warnings import PytestAsyncioDeprecationWarning, warn_at

if TYPE_CHECKING:
    import asyncio


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: _compat.FixtureDef[Any], request: _compat.SubRequest
) -> Generator[None, object, object]:
    __tracebackhide__ = True
    if fixturedef.argname in _overrides.NAMES:
        return (yield from _override_setup(fixturedef, request))
    settings = request.config.stash[SETTINGS_KEY]
    original = fixturedef.func
    kind = fixture_kind(original, settings, request)
    if kind is None:
        if _collect.is_async_function(original):
            # Strict mode only: in auto mode an async fixture not ours is another plugin's.
            if not settings.auto:
                _warn_unmarked_async_fixture(fixturedef, request)
            return (yield)
        if fixturedef.scope == "function" or _compat.is_direct_param(fixturedef):
            return (yield)
        spec = _collect.spec_of(_compat.request_item(request))
        if spec is None:  # not for an async test: no loop, asyncio not imported
            return (yield)
        from pytest_asyncio import _loops

        with _loops.current_for_sync_fixture(fixturedef, request, spec.loop_scope):
            return (yield)
    from pytest_asyncio import _fixtures

    adapter = _fixtures.adapt(fixturedef, request, kind, settings)
    _compat.set_fixture_function(fixturedef, adapter)
    try:
        return (yield)
    finally:
        _compat.set_fixture_function(fixturedef, original)


def _override_setup(
    fixturedef: _compat.FixtureDef[Any], request: _compat.SubRequest
) -> Generator[None, object, object]:
    """Our legacy fixtures, or a user's override of one, which gets its deprecation warning
    once it is set up: raised (under filterwarnings = error) before, it would leave the fixture
    half set up."""
    __tracebackhide__ = True
    result = yield
    _overrides.setting_up(fixturedef, request.config)
    return result


def _warn_unmarked_async_fixture(
    fixturedef: _compat.FixtureDef[Any], request: _compat.SubRequest
) -> None:
    item = _compat.request_item(request)
    if _collect.spec_of(item) is None:
        return  # only async tests we run get the warning; pytest warns about the rest
    message = _messages.STRICT_UNMARKED_ASYNC_FIXTURE.format(
        nodeid=item.nodeid, name=fixturedef.argname
    )
    warn_at(item, PytestAsyncioDeprecationWarning(message))


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
