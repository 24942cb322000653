"""Timeouts across the run's dimensions: per hypothesis example, on every loop scope, with loop
factories, and under pytest-xdist. The limit applies to each job alone, the failure carries
the report, and the next test runs (on the same loop, when it is a wider one)."""

from __future__ import annotations

import pytest

# A broken timeout must not hang the suite: every inner run is a subprocess with an outer bound.
BOUND = 60


def test_limit_applies_to_each_hypothesis_example(pytester: pytest.Pytester) -> None:
    """Five examples of 0.1 s each pass under a 0.3 s limit (it is not the test's whole
    budget); the one example that hangs fails with the report of where it waited."""
    pytester.makepyfile(
        test_examples="""
        import asyncio

        import pytest
        from hypothesis import Phase, example, given, settings, strategies as st

        EXPLICIT = settings(deadline=None, database=None, phases=[Phase.explicit])


        async def stuck_in_helper():
            await asyncio.Event().wait()


        @EXPLICIT
        @example(0)
        @example(1)
        @example(2)
        @example(3)
        @example(4)
        @given(st.integers())
        @pytest.mark.asyncio(timeout=0.3)
        async def test_every_example_within_the_limit(n):
            await asyncio.sleep(0.1)


        @EXPLICIT
        @example(0)
        @example(1)
        @example(2)
        @given(st.integers())
        @pytest.mark.asyncio(timeout=0.3)
        async def test_one_example_hangs(n):
            await asyncio.sleep(0.1)
            if n == 1:
                await stuck_in_helper()


        @pytest.mark.asyncio
        async def test_next():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=BOUND)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "test test_examples.py::test_one_example_hangs ran longer than 0.3 s (the limit "
            "set by @pytest.mark.asyncio(timeout=0.3)) and was cancelled. It was waiting here, "
            "outermost call first:",
            "  test_examples.py:34 in test_one_example_hangs",
            "      await stuck_in_helper()",
            "  test_examples.py:10 in stuck_in_helper",
            "      await asyncio.Event().wait()",
            "If it needs more time, raise the limit; else the innermost await above is the one "
            "that never completed.",
            "Failing explicit example: test_one_example_hangs(",
            "    n=1,",
            ")",
            "FAILED test_examples.py::test_one_example_hangs - TimedOut: *",
        ],
        consecutive=False,
    )


SCOPED = """
import asyncio

import pytest

LOOPS = []


class TestOnOneLoop:
    @pytest.mark.asyncio(loop_scope="{scope}", timeout=0.2)
    async def test_hangs(self):
        LOOPS.append(asyncio.get_running_loop())
        await asyncio.Event().wait()

    @pytest.mark.asyncio(loop_scope="{scope}")
    async def test_after(self):
        await asyncio.sleep(0)
        shared = asyncio.get_running_loop() is LOOPS[0]
        assert shared is {shared}
        print("test_after ran on the loop of test_hangs:", shared)
"""


@pytest.mark.parametrize("scope", ["function", "class", "module", "package", "session"])
def test_timed_out_test_leaves_its_loop_usable(pytester: pytest.Pytester, scope: str) -> None:
    """The timed-out job finished cancelling: the next test on the same wider loop runs."""
    package = pytester.mkpydir("pkg")
    shared = scope != "function"
    (package / "test_scoped.py").write_text(SCOPED.format(scope=scope, shared=shared))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s", timeout=BOUND)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "test pkg/test_scoped.py::TestOnOneLoop::test_hangs ran longer than 0.2 s (the "
            "limit set by @pytest.mark.asyncio(timeout=0.2)) and was cancelled. It was waiting "
            "here, outermost call first:",
            # The qualified name from Python 3.11 on (co_qualname).
            "  pkg/test_scoped.py:13 in *test_hangs",
            "      await asyncio.Event().wait()",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines([f"*test_after ran on the loop of test_hangs: {shared}"])


FACTORIES_CONFTEST = """
import asyncio


class AlphaLoop(asyncio.SelectorEventLoop):
    pass


class BetaLoop(asyncio.SelectorEventLoop):
    pass


def pytest_asyncio_loop_factories(config, item):
    return {"alpha": AlphaLoop, "beta": BetaLoop}
"""


def test_every_loop_factory_gets_the_limit(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(FACTORIES_CONFTEST)
    pytester.makepyfile(
        test_factories="""
        import asyncio

        import pytest


        @pytest.mark.asyncio(loop_scope="module")
        async def test_hangs():
            print("test_hangs on", type(asyncio.get_running_loop()).__name__)
            await asyncio.Event().wait()


        @pytest.mark.asyncio(loop_scope="module")
        async def test_after():
            print("test_after on", type(asyncio.get_running_loop()).__name__)
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-s", "--asyncio-timeout=0.2", timeout=BOUND
    )
    result.assert_outcomes(passed=2, failed=2)
    for name, loop in (("alpha", "AlphaLoop"), ("beta", "BetaLoop")):
        result.stdout.fnmatch_lines(
            [
                f"*test_hangs on {loop}",
                f"*test_after on {loop}",
                f"test test_factories.py::test_hangs[[]{name}] ran longer than 0.2 s (the "
                "limit set by --asyncio-timeout=0.2) and was cancelled. It was waiting here, "
                "outermost call first:",
                "  test_factories.py:9 in test_hangs",
                "      await asyncio.Event().wait()",
            ],
            consecutive=False,
        )


@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_report_reaches_the_xdist_controller(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_distributed="""
        import asyncio

        import pytest


        async def stuck_in_helper():
            await asyncio.Event().wait()


        async def forever():
            await asyncio.sleep(3600)


        @pytest.mark.asyncio
        async def test_hangs():
            background = asyncio.create_task(forever(), name="background")
            await stuck_in_helper()


        @pytest.mark.parametrize("n", range(4))
        @pytest.mark.asyncio
        async def test_next(n):
            await asyncio.sleep(0)
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "--asyncio-timeout=0.2", timeout=BOUND
    )
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "test test_distributed.py::test_hangs ran longer than 0.2 s (the limit set by "
            "--asyncio-timeout=0.2) and was cancelled. It was waiting here, outermost call "
            "first:",
            "  test_distributed.py:17 in test_hangs",
            "      await stuck_in_helper()",
            "  test_distributed.py:7 in stuck_in_helper",
            "      await asyncio.Event().wait()",
            "*- other asyncio tasks pending at the timeout -*",
            "task 'background', waiting here:",
            "  test_distributed.py:11 in forever",
            "      await asyncio.sleep(3600)",
            "FAILED test_distributed.py::test_hangs - TimedOut: *",
        ],
        consecutive=False,
    )


def test_shorter_limit_after_a_longer_one_is_kept(pytester: pytest.Pytester) -> None:
    """The watchdog, asleep until a passed test's 30 s deadline, wakes for a shorter one."""
    pytester.makepyfile(
        test_limits="""
        import asyncio

        import pytest


        @pytest.mark.asyncio(timeout=30)
        async def test_long_limit():
            await asyncio.sleep(0)


        @pytest.mark.asyncio(timeout=0.2)
        async def test_short_limit():
            await asyncio.Event().wait()
        """
    )
    # Well under the first test's 30 s: only the second one's deadline can end the run.
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=20)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["test test_limits.py::test_short_limit ran longer than 0.2 s*"])
