"""SPEC "Other behaviour users rely on": Hypothesis ``@given`` on async tests (mark above or
below, strict and auto mode): every example runs on the test's loop, in its driver task;
failing examples shrink and are reported as usual; ``@settings`` is respected; async fixtures
are set up once on that loop and seen by every example."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import pytest_asyncio

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

PLUGIN_DIR = Path(pytest_asyncio.__file__).parent
MARK = "@pytest.mark.asyncio(loop_scope={scope!r})"

EXAMPLES_MODULE = """
import asyncio

import pytest
from hypothesis import given, settings, strategies as st

SCOPE = {scope!r}
LOOPS = []
TASKS = []
OTHER = []


{plain_mark}
async def test_other():
    OTHER.append((asyncio.get_running_loop(), asyncio.current_task()))


@settings(max_examples=13, database=None, deadline=None)
{mark_above}
@given(x=st.integers())
{mark_below}
async def test_examples(x):
    loop = asyncio.get_running_loop()
    LOOPS.append(loop)
    TASKS.append(asyncio.current_task())
    await asyncio.sleep(0)
    assert asyncio.get_running_loop() is loop


def test_check():
    assert len(LOOPS) == 13
    assert all(loop is LOOPS[0] for loop in LOOPS)
    assert TASKS[0] is not None
    assert all(task is TASKS[0] for task in TASKS)
    ((other_loop, other_task),) = OTHER
    if SCOPE == "module":
        assert LOOPS[0] is other_loop
        assert TASKS[0] is other_task
        assert not other_loop.is_closed()
    else:
        assert LOOPS[0] is not other_loop
        assert LOOPS[0].is_closed() and other_loop.is_closed()
"""


@pytest.mark.parametrize("scope", ["function", "module"])
@pytest.mark.parametrize(
    ("asyncio_mode", "placement"),
    [
        pytest.param("strict", "above", id="strict-mark-above-given"),
        pytest.param("strict", "below", id="strict-mark-below-given"),
        pytest.param("auto", "none", id="auto-unmarked"),
    ],
)
def test_every_example_runs_on_the_test_loop(
    pytester: pytest.Pytester, ini: IniWriter, asyncio_mode: str, placement: str, scope: str
) -> None:
    # Unmarked tests take their loop scope from the ini default; marked ones from the mark.
    ini(asyncio_mode=asyncio_mode, asyncio_default_test_loop_scope=scope)
    mark = "" if placement == "none" else MARK.format(scope=scope)
    pytester.makepyfile(
        EXAMPLES_MODULE.format(
            scope=scope,
            plain_mark=mark,
            mark_above=mark if placement == "above" else "",
            mark_below=mark if placement == "below" else "",
        )
    )
    result = pytester.runpytest("-W", "error::pytest.PytestUnraisableExceptionWarning")
    result.assert_outcomes(passed=3)


def test_class_methods_share_the_class_loop(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(
        """
        import asyncio

        import pytest
        from hypothesis import given, settings, strategies as st

        SEEN = []


        @pytest.mark.asyncio(loop_scope="class")
        class TestGiven:
            async def test_first(self):
                SEEN.append(("first", asyncio.get_running_loop(), asyncio.current_task()))

            @settings(max_examples=4, database=None, deadline=None)
            @given(text=st.text())
            async def test_method(self, request, text):
                assert request.instance is self
                assert isinstance(text, str)
                SEEN.append(("example", asyncio.get_running_loop(), asyncio.current_task()))


        def test_check():
            assert [name for name, _, _ in SEEN] == ["first"] + ["example"] * 4
            assert all(loop is SEEN[0][1] for _, loop, _ in SEEN)
            assert all(task is SEEN[0][2] for _, _, task in SEEN)
            assert SEEN[0][1].is_closed()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_unmarked_given_test_runs_in_auto_mode_never_passes_in_strict(
    pytester: pytest.Pytester, mode: str
) -> None:
    pytester.makepyfile(
        """
        import asyncio

        from hypothesis import given, settings, strategies as st

        RAN = []


        @settings(max_examples=3, database=None, deadline=None)
        @given(x=st.integers())
        async def test_unmarked(request, x):
            # Auto mode marks a hypothesis test like any async test (-m asyncio selects it).
            assert request.node.get_closest_marker("asyncio") is not None
            asyncio.get_running_loop()
            RAN.append(x)


        def test_ran():
            assert len(RAN) == 3
        """
    )
    result = pytester.runpytest()
    if mode == "auto":
        result.assert_outcomes(passed=2)
    else:
        result.assert_outcomes(failed=2)


SHRINK_MODULE = """
import asyncio

import pytest
from hypothesis import given, settings, strategies as st

LOOPS = set()


@settings(database=None, deadline=None)
@given(x=st.integers())
{mark}
async def test_shrinks(x):
    LOOPS.add(asyncio.get_running_loop())
    await asyncio.sleep(0)
    assert x < 10


def test_one_loop():
    assert len(LOOPS) == 1
"""

# Hypothesis names the test in its report; older releases say "Falsifying example".
FALSIFYING = re.compile(
    r"^E? *(Falsifying example|Failing test case): test_shrinks\($\n^E? *x=10,$", re.MULTILINE
)


def test_failing_example_is_shrunk_and_reported(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        SHRINK_MODULE.format(mark="@pytest.mark.asyncio" if mode == "strict" else "")
    )
    result = pytester.runpytest("--tb=long")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*async def test_shrinks(x):*", "E       assert 10 < 10"])
    output = result.stdout.str()
    assert FALSIFYING.search(output), output
    assert "Flaky" not in output


@pytest.mark.xfail(
    strict=True,
    reason="known limitation: hypothesis's explain phase names the plugin line that re-raises "
    "a failing example, the first line that only failing examples run",
)
def test_failing_example_report_shows_no_plugin_locations(pytester: pytest.Pytester) -> None:
    # Hypothesis' explain phase lists lines "always and only run by failing test cases";
    # none of them may be the plugin's own (DESIGN invariant 4: our frames stay out of the way).
    pytester.makepyfile(SHRINK_MODULE.format(mark="@pytest.mark.asyncio"))
    result = pytester.runpytest("--tb=long")
    result.assert_outcomes(failed=1, passed=1)
    output = result.stdout.str()
    assert str(PLUGIN_DIR) not in output, output


def test_settings_max_examples_respected(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(
        """
        import asyncio

        import pytest
        from hypothesis import example, given, settings, strategies as st

        SEEN = {"above": [], "below": []}


        @settings(max_examples=7, database=None, deadline=None)
        @pytest.mark.asyncio
        @given(x=st.integers(min_value=0))
        @example(x=-1)
        async def test_settings_above(x):
            SEEN["above"].append((x, asyncio.get_running_loop()))


        @pytest.mark.asyncio
        @given(x=st.integers(min_value=0))
        @settings(max_examples=11, database=None, deadline=None)
        @example(x=-1)
        async def test_settings_below(x):
            SEEN["below"].append((x, asyncio.get_running_loop()))


        def test_count():
            # max_examples generated examples, plus the explicit one, which runs first.
            assert [len(SEEN["above"]), len(SEEN["below"])] == [1 + 7, 1 + 11]
            for seen in SEEN.values():
                assert seen[0][0] == -1
                assert all(loop is seen[0][1] for _, loop in seen)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_async_fixtures_shared_by_all_examples(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import contextvars

        import pytest
        import pytest_asyncio
        from hypothesis import HealthCheck, given, settings, strategies as st

        FUNCTION_VAR = contextvars.ContextVar("FUNCTION_VAR")
        MODULE_VAR = contextvars.ContextVar("MODULE_VAR")
        EVENTS = []


        def event(name):
            EVENTS.append((name, asyncio.get_running_loop(), asyncio.current_task()))


        @pytest_asyncio.fixture(scope="module")
        async def module_resource():
            MODULE_VAR.set("module")
            event("module setup")
            yield {"uses": 0}
            event("module teardown")


        @pytest_asyncio.fixture(loop_scope="module")
        async def function_resource(module_resource):
            FUNCTION_VAR.set("function")
            event("function setup")
            yield {"uses": 0}
            event("function teardown")


        @pytest.mark.asyncio(loop_scope="module")
        @settings(
            max_examples=5,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(x=st.integers())
        async def test_examples(function_resource, module_resource, x):
            assert (FUNCTION_VAR.get(), MODULE_VAR.get()) == ("function", "module")
            # One value of each fixture for all examples.
            function_resource["uses"] += 1
            module_resource["uses"] += 1
            assert function_resource["uses"] == module_resource["uses"]
            event("example")
            await asyncio.sleep(0)


        def test_check():
            expected = ["module setup", "function setup"] + ["example"] * 5
            assert [name for name, _, _ in EVENTS] == expected + ["function teardown"]
            assert all(loop is EVENTS[0][1] for _, loop, _ in EVENTS)
            assert all(task is EVENTS[0][2] for _, _, task in EVENTS)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
