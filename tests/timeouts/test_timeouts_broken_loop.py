"""Timeouts: a job that never finishes cancelling (it swallows CancelledError and ignores
GeneratorExit) is given up on with its loop; what else needs that loop fails at once naming
the test that broke it, and the run ends. A job that did finish cancelling leaves a loop of a
wider scope usable."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

STUCK = """
import asyncio
import pytest
import pytest_asyncio


@pytest_asyncio.fixture(loop_scope="{scope}")
async def resource():
    yield
    print("teardown of resource ran")


@pytest.mark.asyncio(loop_scope="{scope}", timeout=0.2)
async def test_stuck(resource):
    while True:
        try:
            await asyncio.sleep(10)
        except BaseException:
            pass


@pytest.mark.asyncio(loop_scope="{scope}")
async def test_same_loop():
    await asyncio.sleep(0)
"""

OTHER = """
import asyncio
import pytest


@pytest.mark.asyncio(loop_scope="module")
async def test_other_loop():
    await asyncio.sleep(0)
"""


@pytest.mark.parametrize("scope", ["function", "module"])
def test_job_that_never_ends_breaks_only_its_loop(pytester: pytest.Pytester, scope: str) -> None:
    pytester.makepyfile(test_stuck=STUCK.format(scope=scope), test_other=OTHER)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s", timeout=60)
    node = "test_stuck.py::test_stuck" if scope == "function" else "test_stuck.py"
    loop = f"{scope}-scoped event loop of {node}"
    # The next test on a module-scoped loop fails; a function-scoped loop ends with its test.
    if scope == "module":
        result.assert_outcomes(failed=2, errors=1, passed=1)
    else:
        result.assert_outcomes(failed=1, errors=1, passed=2)
    chain = "  test_stuck.py:16 in test_stuck\n      await asyncio.sleep(10)"
    expected = _messages.TIMED_OUT_ABANDONED.format(
        what="test test_stuck.py::test_stuck",
        seconds=0.2,
        source="@pytest.mark.asyncio(timeout=0.2)",
        grace=1.0,
        loop=loop,
        chain=chain,
    )
    output = result.stdout.str()
    assert expected in output
    # The fixture's teardown needs the loop: it fails at once, naming the test.
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_stuck*",
            f"async fixture 'resource' cannot run: its {loop} was abandoned earlier, when test "
            "test_stuck.py::test_stuck ran past its limit and would not stop. Fix that one "
            "first (see its failure); this then runs again.",
        ]
    )
    assert "teardown of resource ran" not in output
    if scope == "module":
        expected = _messages.LOOP_BROKEN.format(
            what="test test_stuck.py::test_same_loop",
            loop=loop,
            culprit=_messages.TIMEOUT_CULPRIT.format(what="test test_stuck.py::test_stuck"),
        )
        assert expected in output
    assert "coroutine ignored GeneratorExit" not in output + result.stderr.str()
    assert "All traceback entries are hidden" not in output


def test_abandoned_report_literal_text(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_stuck=STUCK.format(scope="module"))
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "test_stuck.py::test_stuck", timeout=60
    )
    result.stdout.fnmatch_lines(
        [
            "test test_stuck.py::test_stuck ran longer than 0.2 s (the limit set by "
            "@pytest.mark.asyncio(timeout=0.2)), was cancelled, and refused to stop: 1 s later "
            "it was still running, having caught the CancelledError. Closing it did not end it "
            "either (it caught GeneratorExit too), so 1 s later its module-scoped event loop of "
            "test_stuck.py was abandoned: nothing more runs on that loop, and the fixture "
            "teardowns and later tests that need it fail. It was waiting here, outermost call "
            "first:",
            "  test_stuck.py:16 in test_stuck",
            "      await asyncio.sleep(10)",
            "Let CancelledError and GeneratorExit propagate: re-raise them after your cleanup "
            "instead of catching them and going on.",
        ],
        consecutive=True,
    )


def test_wider_loop_stays_usable_after_a_clean_cancel(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_module_loop="""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")
        LOOPS = []


        @pytest.mark.asyncio(loop_scope="module", timeout=0.2)
        async def test_times_out():
            LOOPS.append(asyncio.get_running_loop())
            try:
                await asyncio.Event().wait()
            finally:
                print("cleanup of test_times_out ran")


        async def test_same_loop_after():
            assert LOOPS == [asyncio.get_running_loop()]
            await asyncio.sleep(0.01)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s", timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    assert "cleanup of test_times_out ran" in result.stdout.str()
    assert "test test_module_loop.py::test_times_out ran longer than 0.2 s" in result.stdout.str()
