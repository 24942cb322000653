"""Timeouts: a test that runs past its limit is cancelled, and its failure shows where it was
waiting (its await chain, outermost first) and the other tasks pending on its loop."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

# A broken timeout must not hang the suite: pytest-timeout ends each test after 60 s.
pytestmark = pytest.mark.timeout(60)

HUNG = """
import asyncio
import pytest
import pytest_asyncio


async def stuck_in_helper():
    await asyncio.Event().wait()


async def forever():
    await asyncio.sleep(3600)


TASKS = []


@pytest_asyncio.fixture
async def resource():
    yield "value"
    print("teardown of resource ran")


@pytest.mark.asyncio(timeout=0.2)
async def test_hangs(resource):
    TASKS.append(asyncio.create_task(forever(), name="background"))
    await stuck_in_helper()


@pytest.mark.asyncio
async def test_next():
    pass
"""


def test_report_shows_the_await_chain_then_the_other_tasks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_hung=HUNG)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1, passed=1)
    output = result.stdout.str()
    # The literal text a user sees, every line of the failure in order.
    result.stdout.fnmatch_lines(
        [
            "test test_hung.py::test_hangs ran longer than 0.2 s (the limit set by "
            "@pytest.mark.asyncio(timeout=0.2)) and was cancelled. It was waiting here, "
            "outermost call first:",
            "  test_hung.py:26 in test_hangs",
            "      await stuck_in_helper()",
            "  test_hung.py:7 in stuck_in_helper",
            "      await asyncio.Event().wait()",
            "If it needs more time, raise the limit; else the innermost await above is the one "
            "that never completed.",
            "*- other asyncio tasks pending at the timeout -*",
            "task 'background', waiting here:",
            "  test_hung.py:11 in forever",
            "      await asyncio.sleep(3600)",
            "*- Captured stdout teardown -*",
            "teardown of resource ran",
            "FAILED test_hung.py::test_hangs - TimedOut: test test_hung.py::test_hangs ran*",
        ],
        consecutive=False,
    )
    assert "asyncio/" not in output
    assert "pytest_asyncio" not in output
    assert "CancelledError" not in output


def test_message_constant_matches(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_hung=HUNG)
    result = pytester.runpytest("-p", "no:randomly", "-k", "test_hangs")
    chain = (
        "  test_hung.py:26 in test_hangs\n"
        "      await stuck_in_helper()\n"
        "  test_hung.py:7 in stuck_in_helper\n"
        "      await asyncio.Event().wait()"
    )
    expected = _messages.TIMED_OUT.format(
        what=_messages.TIMED_OUT_TEST.format(nodeid="test_hung.py::test_hangs"),
        seconds=0.2,
        source="@pytest.mark.asyncio(timeout=0.2)",
        chain=chain,
    )
    assert expected in result.stdout.str()


def test_awaited_task_is_followed_and_creation_site_shown_in_debug_mode(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_awaits_task="""
        import asyncio
        import pytest


        async def deep():
            await asyncio.sleep(3600)


        async def idle():
            await asyncio.Event().wait()


        def start_idle():
            return asyncio.create_task(idle(), name="idler")


        @pytest.mark.asyncio(timeout=0.2)
        async def test_waits_on_a_task():
            idler = start_idle()
            await asyncio.create_task(deep(), name="worker")
        """
    )
    result = pytester.runpytest("--asyncio-debug")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  test_awaits_task.py:20 in test_waits_on_a_task",
            '      await asyncio.create_task(deep(), name="worker")',
            "  test_awaits_task.py:6 in deep",
            "      await asyncio.sleep(3600)",
            "*- other asyncio tasks pending at the timeout -*",
            "task 'idler' (created at test_awaits_task.py:14 in start_idle), waiting here:",
            "  test_awaits_task.py:10 in idle",
            "      await asyncio.Event().wait()",
        ]
    )
    # The awaited task is part of the chain, not listed again among the others.
    assert "task 'worker'" not in result.stdout.str()


def test_run_goes_on_and_wider_loop_stays_usable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_module_loop="""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")
        LOOPS = []


        @pytest.mark.asyncio(loop_scope="module", timeout=0.2)
        async def test_hangs():
            LOOPS.append(asyncio.get_running_loop())
            try:
                await asyncio.sleep(3600)
            finally:
                await asyncio.sleep(0)  # cleanup that awaits still runs


        async def test_same_loop_still_runs():
            LOOPS.append(asyncio.get_running_loop())
            assert LOOPS[0] is LOOPS[1]
            await asyncio.sleep(0.01)
            assert asyncio.current_task().get_name() == (
                "test_module_loop.py::test_same_loop_still_runs"
            )
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1, passed=1)


def test_a_test_within_its_limit_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.mark.asyncio(timeout=5)
        async def test_quick():
            await asyncio.sleep(0.01)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_each_hypothesis_example_gets_the_limit(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        from hypothesis import example, given, settings, strategies as st

        @settings(max_examples=3, deadline=None, database=None)
        @given(st.integers(0, 5))
        @example(n=10)
        @pytest.mark.asyncio(timeout=0.2)
        async def test_examples(n):
            await asyncio.sleep(0)
            if n > 5:
                await asyncio.sleep(3600)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*test_examples*ran longer than 0.2 s*", "*await asyncio.sleep(3600)"]
    )


def test_chain_goes_through_a_fixture_looked_up_from_the_test(pytester: pytest.Pytester) -> None:
    """The test's limit passes while a fixture it awaits with getfixturevalue is set up in its
    task: the test is reported, with the chain down into the fixture."""
    pytester.makepyfile(
        test_nested="""
        import asyncio
        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def slow():
            await asyncio.Event().wait()


        @pytest.mark.asyncio(timeout=0.2)
        async def test_looks_up(request):
            await pytest_asyncio.getfixturevalue(request, "slow")


        @pytest.mark.asyncio
        async def test_after():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "test test_nested.py::test_looks_up ran longer than 0.2 s*",
            "  test_nested.py:13 in test_looks_up",
            '      await pytest_asyncio.getfixturevalue(request, "slow")',
            "  test_nested.py:8 in slow",
            "      await asyncio.Event().wait()",
            "If it needs more time*",
        ],
        consecutive=True,
    )
