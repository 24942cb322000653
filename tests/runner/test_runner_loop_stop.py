"""``loop.stop()`` from a test or fixture is never absorbed: under ``asyncio.run()`` it fails
with "Event loop stopped before Future completed"; here the test or fixture fails with a
message saying what to do instead, after being cancelled if it had not finished. The runner's
own stops (to hand control back to pytest) are not mistaken for the user's, and the loop stays
usable for the next test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

STOPS = """
import asyncio

import pytest
import pytest_asyncio

SCOPE, WHERE, HOW = {scope!r}, {where!r}, {how!r}
CLEANED_UP = []

pytestmark = pytest.mark.asyncio(loop_scope=SCOPE)


async def stop_the_loop():
    asyncio.get_running_loop().stop()
    if HOW == "then awaits":
        try:
            await asyncio.sleep(2)
        finally:
            CLEANED_UP.append(WHERE)


@pytest_asyncio.fixture(loop_scope=SCOPE)
async def stopper():
    if WHERE == "fixture":
        await stop_the_loop()
    yield


async def test_stops(stopper):
    if WHERE == "test":
        await stop_the_loop()


async def test_next():
    await asyncio.sleep(0)
    assert CLEANED_UP == ([WHERE] if HOW == "then awaits" else [])
"""


@pytest.mark.parametrize("how", ["then awaits", "then returns"])
@pytest.mark.parametrize("where", ["test", "fixture"])
@pytest.mark.parametrize("scope", ["function", "module"])
def test_stopping_the_loop_fails_the_test_or_fixture(
    pytester: pytest.Pytester, ini: IniWriter, scope: str, where: str, how: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(test_stop=STOPS.format(scope=scope, where=where, how=how))
    result = pytester.runpytest()
    if where == "test":
        result.assert_outcomes(failed=1, passed=1)
        what = "test test_stop.py::test_stops"
    else:
        result.assert_outcomes(errors=1, passed=1)
        what = "async fixture 'stopper'"
    owner = "test_stop.py::test_stops" if scope == "function" else "test_stop.py"
    loop = f"{scope}-scoped event loop of {owner}"
    assert _messages.LOOP_STOPPED.format(what=what, loop=loop) in result.stdout.str()


def test_the_message_a_user_sees(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(
        test_stop="""
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_stops():
            asyncio.get_running_loop().stop()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert (
        "test test_stop.py::test_stops failed: the function-scoped event loop of "
        "test_stop.py::test_stops was stopped with loop.stop() while it ran on that loop. "
        "pytest-asyncio-ng runs the loop, and tests and fixtures must not stop it. To end a "
        "test early, return or raise; to end a task, cancel it; to run a loop that you stop "
        "yourself, create it with asyncio.new_event_loop() in a sync test or fixture."
    ) in result.stdout.str()


def test_a_callback_stopping_the_loop_fails_the_running_test(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(
        test_stop="""
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_stops_from_a_callback():
            loop = asyncio.get_running_loop()
            loop.call_later(0.01, loop.stop)
            await asyncio.sleep(2)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    nodeid = "test_stop.py::test_stops_from_a_callback"
    message = _messages.LOOP_STOPPED.format(
        what=f"test {nodeid}", loop=f"function-scoped event loop of {nodeid}"
    )
    assert message in result.stdout.str()
