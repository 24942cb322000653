"""SPEC "Context variables" and DESIGN invariant 2: what an async fixture sets in a context
variable is seen by the fixtures and tests that use it, on any loop, and undone at its
teardown; what a test sets does not leak into later tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

# Teardown checks raise, so that a broken invariant shows as an error in the outer outcome.
FIXTURE_VALUES = """
import asyncio
import contextvars

import pytest
import pytest_asyncio

from_coroutine = contextvars.ContextVar("from_coroutine", default="unset")
from_generator = contextvars.ContextVar("from_generator", default="unset")
from_test = contextvars.ContextVar("from_test", default="unset")


@pytest_asyncio.fixture
async def coroutine_fixture():
    from_coroutine.set("coroutine")


@pytest_asyncio.fixture
async def generator_fixture():
    token = from_generator.set("generator")
    yield
    if from_generator.get() != "generator":
        raise RuntimeError(f"teardown sees {from_generator.get()!r}")
    from_generator.reset(token)  # ValueError if teardown ran in another context than setup
    if from_generator.get() != "unset":
        raise RuntimeError("reset did not restore the default")


@pytest_asyncio.fixture
async def dependent(coroutine_fixture, generator_fixture):
    return from_coroutine.get(), from_generator.get()


async def read_both():
    return from_coroutine.get(), from_generator.get()


@pytest.mark.asyncio
async def test_sees_fixture_values(dependent, coroutine_fixture, generator_fixture):
    assert dependent == ("coroutine", "generator")
    assert await read_both() == ("coroutine", "generator")
    copied = contextvars.copy_context()
    assert copied[from_coroutine] == "coroutine"
    assert copied[from_generator] == "generator"
    from_test.set("test")


@pytest.mark.asyncio
async def test_tasks_inherit_test_values(coroutine_fixture):
    from_test.set("test")

    async def read():
        await asyncio.sleep(0)
        return from_test.get(), from_coroutine.get()

    assert await asyncio.create_task(read()) == ("test", "coroutine")


@pytest.mark.asyncio
async def test_later_sees_defaults():
    assert await read_both() == ("unset", "unset")
    assert from_test.get() == "unset"
    assert contextvars.copy_context().run(from_coroutine.get) == "unset"


def test_sync_later_sees_defaults():
    assert (from_coroutine.get(), from_generator.get(), from_test.get()) == ("unset",) * 3
"""


def test_fixture_values_seen_then_undone(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(FIXTURE_VALUES)
    result = pytester.runpytest()
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize("loop_scope", ["function", "module"])
def test_test_values_do_not_leak(
    pytester: pytest.Pytester, ini: IniWriter, loop_scope: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(
        f"""
        import contextvars

        import pytest

        var = contextvars.ContextVar("var", default="unset")

        pytestmark = pytest.mark.asyncio(loop_scope={loop_scope!r})


        async def test_sets():
            var.set("first test")
            assert var.get() == "first test"


        async def test_sets_again():
            assert var.get() == "unset"
            var.set("second test")


        async def test_sees_default():
            assert var.get() == "unset"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


# A module-loop fixture's values reach tests and fixtures on other loops, for as long as the
# fixture lives; the second module runs after its teardown.
ACROSS_LOOPS_FIRST = """
import asyncio
import contextvars

import pytest
import pytest_asyncio

from conftest import session_var

module_var = contextvars.ContextVar("module_var", default="unset")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_value(session_value):
    assert session_var.get() == "session"
    token = module_var.set("module")
    yield asyncio.get_running_loop()
    module_var.reset(token)


@pytest_asyncio.fixture(loop_scope="function")
async def function_value(module_value):
    return module_var.get(), session_var.get()


@pytest.mark.asyncio(loop_scope="function")
async def test_function_loop(module_value, function_value):
    assert asyncio.get_running_loop() is not module_value
    assert function_value == ("module", "session")
    assert (module_var.get(), session_var.get()) == ("module", "session")


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop(module_value):
    assert asyncio.get_running_loop() is module_value
    assert (module_var.get(), session_var.get()) == ("module", "session")


@pytest.mark.asyncio(loop_scope="session")
async def test_session_loop(module_value):
    assert (module_var.get(), session_var.get()) == ("module", "session")
"""

ACROSS_LOOPS_SECOND = """
import pytest

from conftest import session_var
from test_a_first import module_var


@pytest.mark.asyncio(loop_scope="module")
async def test_after_module_fixture_teardown(session_value):
    assert (module_var.get(), session_var.get()) == ("unset", "session")


@pytest.mark.asyncio(loop_scope="function")
async def test_function_loop_after_teardown():
    assert module_var.get() == "unset"
"""

ACROSS_LOOPS_CONFTEST = """
import contextvars

import pytest_asyncio

session_var = contextvars.ContextVar("session_var", default="unset")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def session_value():
    session_var.set("session")
"""


def test_fixture_values_cross_loops(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="strict")
    pytester.syspathinsert()
    pytester.makeconftest(ACROSS_LOOPS_CONFTEST)
    pytester.makepyfile(test_a_first=ACROSS_LOOPS_FIRST, test_b_second=ACROSS_LOOPS_SECOND)
    result = pytester.runpytest()
    result.assert_outcomes(passed=5)


# Sync fixtures and sync tests take part too, in both directions (as in the reference).
SYNC_CONSUMERS = """
import contextvars

import pytest
import pytest_asyncio

var = contextvars.ContextVar("var", default="unset")


@pytest_asyncio.fixture
async def async_sets():
    token = var.set("async fixture")
    yield
    var.reset(token)


@pytest.fixture
def sync_reads(async_sets):
    return var.get()


@pytest.fixture
def sync_sets():
    token = var.set("sync fixture")
    yield
    var.reset(token)


@pytest_asyncio.fixture
async def async_reads(sync_sets):
    return var.get()


@pytest.mark.asyncio
async def test_sync_fixture_sees_async_fixture(sync_reads):
    assert sync_reads == "async fixture"
    assert var.get() == "async fixture"


def test_sync_test_sees_async_fixture(async_sets):
    assert var.get() == "async fixture"


@pytest.mark.asyncio
async def test_async_fixture_and_test_see_sync_fixture(async_reads):
    assert async_reads == "sync fixture"
    assert var.get() == "sync fixture"


@pytest.mark.asyncio
async def test_sync_fixture_after_async_fixture(async_sets, sync_sets):
    assert var.get() == "sync fixture"


def test_defaults_restored():
    assert var.get() == "unset"
"""


def test_fixture_values_reach_sync_fixtures_and_tests(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(SYNC_CONSUMERS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=5)
