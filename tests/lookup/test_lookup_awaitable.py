"""``await pytest_asyncio.getfixturevalue(request, name)``: fixture lookup from async code.

SPEC "Other behaviour": the reference cannot set up an async fixture from a running loop; the
awaitable form can, for every kind of fixture, from async tests and async fixtures alike, and
the looked-up fixture behaves as if the test had requested it: same loop, same task (DESIGN
invariant 2), teardown after the test, errors and skips reported as the fixture's.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]

FIXTURES = """
import asyncio

import pytest
import pytest_asyncio

EVENTS = []


@pytest_asyncio.fixture
async def generator():
    task = asyncio.current_task()
    EVENTS.append("generator setup")
    await asyncio.sleep(0)
    yield {"loop": asyncio.get_running_loop(), "task": task}
    assert asyncio.current_task() is task
    EVENTS.append("generator teardown")


@pytest_asyncio.fixture
async def coroutine():
    await asyncio.sleep(0)
    return asyncio.get_running_loop()


@pytest.fixture
def sync():
    return "sync value"


@pytest_asyncio.fixture(loop_scope="module")
async def module_loop():
    return asyncio.get_running_loop()


@pytest_asyncio.fixture
async def dependent(generator, coroutine):
    assert generator["loop"] is coroutine is asyncio.get_running_loop()
    return (generator, coroutine)


@pytest_asyncio.fixture
async def looks_up(request):
    value = await pytest_asyncio.getfixturevalue(request, "generator")
    assert value["task"] is asyncio.current_task()
    return value


@pytest_asyncio.fixture
async def failing():
    await asyncio.sleep(0)
    raise LookupError("failing fixture")


@pytest_asyncio.fixture
async def skipping():
    await asyncio.sleep(0)
    pytest.skip("skipped by the fixture")


@pytest_asyncio.fixture
async def of_parameter(number):
    return number * 10


@pytest_asyncio.fixture(params=["a", "b"])
async def parametrized(request):
    await asyncio.sleep(0)
    return request.param * 2
"""

TESTS = """
import asyncio

import pytest
import pytest_asyncio
from pytest_asyncio import getfixturevalue

from conftest import EVENTS


@pytest.mark.asyncio
async def test_async_generator(request):
    value = await getfixturevalue(request, "generator")
    assert value["loop"] is asyncio.get_running_loop()
    assert value["task"] is asyncio.current_task()
    assert await getfixturevalue(request, "generator") is value
    assert EVENTS == ["generator setup"]


def test_async_generator_torn_down():
    assert EVENTS == ["generator setup", "generator teardown"]
    EVENTS.clear()


@pytest.mark.asyncio
async def test_coroutine(request):
    assert await getfixturevalue(request, "coroutine") is asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_sync(request):
    assert await getfixturevalue(request, "sync") == "sync value"


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_first(module_loop):
    assert module_loop is asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_other_loop_scope(request):
    value = await getfixturevalue(request, "module_loop")
    assert value is not asyncio.get_running_loop()
    assert not value.is_closed()


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_again(module_loop):
    assert module_loop is asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_dependencies(request):
    generator, coroutine = await getfixturevalue(request, "dependent")
    assert coroutine is asyncio.get_running_loop()
    assert generator["task"] is asyncio.current_task()
    assert await getfixturevalue(request, "generator") is generator


@pytest.mark.asyncio
async def test_from_async_fixture(looks_up):
    assert looks_up["loop"] is asyncio.get_running_loop()
    assert looks_up["task"] is asyncio.current_task()


@pytest.mark.asyncio
@pytest.mark.parametrize("number", [1, 2])
async def test_fixture_of_a_parameter(request, number):
    assert await getfixturevalue(request, "of_parameter") == number * 10


@pytest.mark.asyncio
@pytest.mark.usefixtures("parametrized")
async def test_parametrized_fixture(request):
    value = await getfixturevalue(request, "parametrized")
    assert value == request.node.callspec.params["parametrized"] * 2


@pytest.mark.asyncio
async def test_parametrized_fixture_not_in_closure(request):
    await getfixturevalue(request, "parametrized")


@pytest.mark.asyncio
async def test_failing(request):
    with pytest.raises(LookupError, match="failing fixture"):
        await getfixturevalue(request, "failing")


@pytest.mark.asyncio
async def test_failing_uncaught(request):
    await getfixturevalue(request, "failing")


@pytest.mark.asyncio
async def test_skipping(request):
    await getfixturevalue(request, "skipping")
    raise AssertionError("not reached")
"""


def test_lookup_from_async_code(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeconftest(FIXTURES)
    pytester.makepyfile(test_lookup=TESTS)
    result = pytester.runpytest("-rfs")
    result.assert_outcomes(passed=14, failed=2, skipped=1, warnings=0)
    result.stdout.fnmatch_lines(
        [
            # pytest's own error, as from the sync request.getfixturevalue()
            "The requested fixture has no parameter defined for test:",
            "    test_lookup.py::test_parametrized_fixture_not_in_closure",
            "FAILED test_lookup.py::test_parametrized_fixture_not_in_closure - Failed*",
            "FAILED test_lookup.py::test_failing_uncaught - LookupError: failing fixture",
            "SKIPPED [[]1[]] test_lookup.py:*: skipped by the fixture",
        ]
    )


def test_failure_traceback_hides_plugin_frames(pytester: pytest.Pytester, ini: IniWriter) -> None:
    """DESIGN invariant 4: from the test's await to the fixture's raise, no frame of ours."""
    ini()
    pytester.makeconftest(FIXTURES)
    pytester.makepyfile(test_lookup=TESTS)
    result = pytester.runpytest("-k", "test_failing_uncaught")
    result.assert_outcomes(failed=1, deselected=16)
    result.stdout.fnmatch_lines(
        [
            '>       await getfixturevalue(request, "failing")',
            '>       raise LookupError("failing fixture")',
            "E       LookupError: failing fixture",
        ]
    )
    package = f"{os.sep}pytest_asyncio{os.sep}"
    shown = [line for line in result.outlines if package in line]
    assert shown == []


def test_context_variables_of_a_looked_up_fixture(pytester: pytest.Pytester, mode: str) -> None:
    """SPEC "Context variables": what an async fixture sets is seen by the tests that use it,
    however they got it, and is undone at its teardown."""
    pytester.makepyfile(
        test_contextvars="""
        import asyncio
        import contextvars

        import pytest
        import pytest_asyncio

        VAR = contextvars.ContextVar("VAR", default="unset")


        @pytest_asyncio.fixture
        async def coroutine_sets():
            VAR.set("by coroutine")


        @pytest_asyncio.fixture
        async def generator_sets():
            token = VAR.set("by generator")
            yield
            assert VAR.get() == "by generator"
            VAR.reset(token)


        @pytest.mark.asyncio
        @pytest.mark.parametrize("name", ["coroutine_sets", "generator_sets"])
        async def test_sees_it(request, name):
            await pytest_asyncio.getfixturevalue(request, name)
            assert VAR.get() == "by " + name.removesuffix("_sets")
            await asyncio.sleep(0)
            assert VAR.get() == "by " + name.removesuffix("_sets")


        def test_undone_after_teardown():
            assert VAR.get() == "unset"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_lookup_under_a_legacy_event_loop_override(pytester: pytest.Pytester, mode: str) -> None:
    """Below a user's event_loop fixture, looked-up fixtures run on its loop, their setup in
    the test's task. (The user's loop keeps no task of ours between jobs, so a teardown runs
    in a task of its own there.)"""
    pytester.makeconftest(FIXTURES)
    pytester.makepyfile(
        test_override="""
        import asyncio

        import pytest
        import pytest_asyncio
        from pytest_asyncio import getfixturevalue

        TORN_DOWN = []


        @pytest.fixture
        def event_loop():
            loop = asyncio.new_event_loop()
            yield loop
            loop.close()


        @pytest_asyncio.fixture
        async def setup_task():
            yield asyncio.current_task()
            TORN_DOWN.append(asyncio.get_running_loop())


        @pytest.mark.asyncio
        async def test_lookup(request, event_loop):
            assert asyncio.get_running_loop() is event_loop
            assert await getfixturevalue(request, "coroutine") is event_loop
            assert await getfixturevalue(request, "setup_task") is asyncio.current_task()
            TORN_DOWN.append(event_loop)


        def test_torn_down_on_that_loop():
            test_loop, teardown_loop = TORN_DOWN
            assert teardown_loop is test_loop
        """
    )
    result = pytester.runpytest("-W", "ignore::pytest_asyncio.PytestAsyncioDeprecationWarning")
    result.assert_outcomes(passed=2)
