"""DESIGN invariant 2, "one task per loop": an async fixture's setup, the tests that use it and
its teardown run in one task, so a fixture may hold a TaskGroup or a timeout open across its
``yield``; for wide-scoped fixtures this holds across several tests in between."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

SCOPES = ["function", "class", "module", "package", "session"]

# Teardown checks raise, so that a broken invariant shows as an error in the outer outcome.
SAME_TASK = """
import asyncio

import pytest
import pytest_asyncio

SCOPE = {scope!r}
TESTS_PER_FIXTURE = 1 if SCOPE == "function" else 3

pytestmark = pytest.mark.asyncio(loop_scope=SCOPE)


@pytest_asyncio.fixture(scope=SCOPE, loop_scope=SCOPE)
async def same_task():
    state = {{"task": asyncio.current_task(), "tests": 0}}
    assert state["task"] is not None
    await asyncio.sleep(0)
    assert asyncio.current_task() is state["task"]
    yield state
    if asyncio.current_task() is not state["task"]:
        raise RuntimeError("teardown ran in another task than setup")
    if state["tests"] != TESTS_PER_FIXTURE:
        raise RuntimeError(f"fixture served {{state['tests']}} tests")


@pytest_asyncio.fixture(scope=SCOPE, loop_scope=SCOPE)
async def dependent(same_task):
    assert asyncio.current_task() is same_task["task"]
    yield same_task
    if asyncio.current_task() is not same_task["task"]:
        raise RuntimeError("dependent teardown ran in another task than setup")


class TestOneTask:
    async def test_1(self, same_task):
        assert asyncio.current_task() is same_task["task"]
        same_task["tests"] += 1

    async def test_2(self, same_task, dependent):
        assert asyncio.current_task() is same_task["task"]
        await asyncio.sleep(0)
        assert asyncio.current_task() is same_task["task"]
        same_task["tests"] += 1

    async def test_3(self, dependent):
        assert asyncio.current_task() is dependent["task"]
        dependent["tests"] += 1
"""


@pytest.mark.parametrize("scope", SCOPES)
def test_setup_test_and_teardown_share_one_task(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(SAME_TASK.format(scope=scope))
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


# A ticker task lives in the fixture's TaskGroup, inside a timeout, for the fixture's lifetime.
TASK_GROUP = """
import asyncio

import pytest
import pytest_asyncio

SCOPE = {scope!r}
TESTS_PER_FIXTURE = 1 if SCOPE == "function" else 3

pytestmark = pytest.mark.asyncio(loop_scope=SCOPE)


async def tick(state):
    while not state["stop"].is_set():
        state["ticks"] += 1
        await asyncio.sleep(0)
    return "stopped"


@pytest_asyncio.fixture(scope=SCOPE, loop_scope=SCOPE)
async def ticker():
    state = {{"ticks": 0, "tests": 0, "stop": asyncio.Event()}}
    async with asyncio.timeout(10):
        async with asyncio.TaskGroup() as group:
            state["task"] = group.create_task(tick(state))
            yield state
            state["stop"].set()
    if state["task"].result() != "stopped":
        raise RuntimeError("the ticker did not stop cleanly")
    if state["tests"] != TESTS_PER_FIXTURE:
        raise RuntimeError(f"fixture served {{state['tests']}} tests")


async def check_ticking(state):
    assert not state["task"].done()
    before = state["ticks"]
    for _ in range(3):
        await asyncio.sleep(0)
    assert state["ticks"] > before
    state["tests"] += 1


class TestTaskGroupFixture:
    async def test_1(self, ticker):
        await check_ticking(ticker)

    async def test_2(self, ticker):
        await check_ticking(ticker)

    async def test_3(self, ticker):
        await check_ticking(ticker)
"""


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.TaskGroup needs Python 3.11")
@pytest.mark.parametrize("scope", ["function", "module", "session"])
def test_fixture_holds_task_group_and_timeout_across_yield(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(TASK_GROUP.format(scope=scope))
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


# A module-loop fixture's task group outlives tests of other loop scopes run in between.
TASK_GROUP_ACROSS_LOOPS = """
import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def group():
    state = {"task": asyncio.current_task(), "stop": asyncio.Event(), "ticks": 0}

    async def tick():
        while not state["stop"].is_set():
            state["ticks"] += 1
            await asyncio.sleep(0)

    async with asyncio.timeout(10), asyncio.TaskGroup() as task_group:
        state["ticker"] = task_group.create_task(tick())
        yield state
        state["stop"].set()
    if asyncio.current_task() is not state["task"]:
        raise RuntimeError("teardown ran in another task than setup")


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_1(group):
    assert asyncio.current_task() is group["task"]
    await asyncio.sleep(0)
    assert group["ticks"] > 0


@pytest.mark.asyncio(loop_scope="function")
async def test_function_loop_in_between(group):
    assert asyncio.current_task() is not group["task"]
    assert not group["ticker"].done()


@pytest.mark.asyncio(loop_scope="session")
async def test_session_loop_in_between():
    await asyncio.sleep(0)


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_2(group):
    assert asyncio.current_task() is group["task"]
    before = group["ticks"]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert group["ticks"] > before
"""


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.TaskGroup needs Python 3.11")
def test_task_group_fixture_survives_other_loops_in_between(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(TASK_GROUP_ACROSS_LOOPS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=4)
