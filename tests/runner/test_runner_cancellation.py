"""A cancellation is never lost: a test or async fixture step that returns (or yields) while a
``cancel()`` of its own task is still pending fails with ``CancelledError``, as the main task of
``asyncio.run()`` ends cancelled. The driver task runs many jobs: the cancellation ends with
the job it was meant for and never reaches the next one. A cancellation that was delivered and
caught is the test's business, as under ``asyncio.run()``."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

# The job after the cancelling one (the neighbour fixture's teardown on the same loop, then the
# next test) must run as if nothing happened; RAN shows that they ran.
CANCELS = """
import asyncio
import sys

import pytest
import pytest_asyncio

SCOPE, WHERE = {scope!r}, {where!r}
RAN = []

pytestmark = pytest.mark.asyncio(loop_scope=SCOPE)


def cancel_own_task():
    asyncio.current_task().cancel()


async def check_unaffected(who):
    await asyncio.sleep(0)
    if sys.version_info >= (3, 11):
        assert asyncio.current_task().cancelling() == 0
    RAN.append(who)


@pytest_asyncio.fixture(loop_scope=SCOPE)
async def neighbour():
    yield
    await check_unaffected("neighbour teardown")


@pytest_asyncio.fixture(loop_scope=SCOPE)
async def canceller(neighbour):
    if WHERE == "fixture setup":
        cancel_own_task()
    yield


async def test_cancels(canceller):
    if WHERE == "test":
        cancel_own_task()


async def test_next():
    await check_unaffected("next test")
    assert RAN == ["neighbour teardown", "next test"]
"""

OUTCOMES = {"test": {"failed": 1, "passed": 1}, "fixture setup": {"errors": 1, "passed": 1}}


@pytest.mark.parametrize("where", list(OUTCOMES))
@pytest.mark.parametrize("scope", ["function", "module"])
def test_a_pending_cancellation_fails_the_step_and_only_it(
    pytester: pytest.Pytester, ini: IniWriter, scope: str, where: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(test_cancel=CANCELS.format(scope=scope, where=where))
    result = pytester.runpytest()
    result.assert_outcomes(**OUTCOMES[where])
    result.stdout.fnmatch_lines(["E   asyncio.exceptions.CancelledError"])
    if sys.version_info >= (3, 11):
        what = (
            "test test_cancel.py::test_cancels" if where == "test" else "async fixture 'canceller'"
        )
        assert _messages.CANCELLED_ON_RETURN.format(what=what) in result.stdout.str()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are 3.11+")
def test_the_note_a_user_sees(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(
        test_cancel="""
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_cancels():
            asyncio.current_task().cancel()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert (
        "test test_cancel.py::test_cancels returned or yielded while a cancel() of its own "
        "task was still pending, so it fails as cancelled, as it would under asyncio.run(). "
        "Await something after cancel() to receive the CancelledError there, or do not cancel "
        "the task that runs tests and fixtures."
    ) in result.stdout.str()


# Under asyncio.run() too, a main task that catches the CancelledError it was sent and returns
# ends normally. What it leaves counted in Task.cancelling() must not reach the next test.
CAUGHT = """
import asyncio
import sys

import pytest

pytestmark = pytest.mark.asyncio(loop_scope={scope!r})


async def test_expects_its_cancellation():
    asyncio.current_task().cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.sleep(0)


async def test_next():
    await asyncio.sleep(0)
    if sys.version_info >= (3, 11):
        assert asyncio.current_task().cancelling() == 0
        async with asyncio.timeout(5):
            await asyncio.sleep(0)
"""


@pytest.mark.parametrize("scope", ["function", "module"])
def test_a_caught_cancellation_is_the_tests_business(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(test_caught=CAUGHT.format(scope=scope))
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
