"""SPEC "Modes", strict: only marked async tests are ours; an unmarked one never passes.

It fails saying how to have it run (mark it, or auto mode), not with pytest's advice to install
an async plugin; unless another plugin runs it, or claims it with its own mark.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture


@pytest.mark.parametrize("configured", ["default", "ini", "cli"])
def test_strict_runs_only_marked_async_tests(
    pytester: pytest.Pytester, ini: IniWriter, configured: str
) -> None:
    if configured == "ini":
        ini(asyncio_mode="strict")
    pytester.makepyfile(
        """
        import asyncio

        import pytest

        RAN = []


        @pytest.mark.asyncio
        async def test_marked():
            task = asyncio.current_task()
            assert task is not None and not task.done()
            RAN.append("marked")


        async def test_unmarked_function():
            RAN.append("unmarked")


        class TestUnmarked:
            async def test_method(self):
                RAN.append("unmarked")

            @staticmethod
            async def test_static():
                RAN.append("unmarked")


        @pytest.mark.asyncio
        class TestMarked:
            async def test_method(self):
                assert asyncio.get_running_loop().is_running()
                RAN.append("marked")


        def test_zz_only_marked_ran():
            assert RAN == ["marked", "marked"]
        """
    )
    args = ["--asyncio-mode=strict"] if configured == "cli" else []
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=3, failed=3)
    assert "natively supported" not in result.stdout.str()
    for name in (
        "test_unmarked_function",
        "TestUnmarked::test_method",
        "TestUnmarked::test_static",
    ):
        nodeid = f"test_strict_runs_only_marked_async_tests.py::{name}"
        message = _messages.UNMARKED_ASYNC_TEST.format(nodeid=nodeid, mode="strict")
        assert message in result.outlines
        result.stdout.fnmatch_lines([f"FAILED {nodeid}*"])


def test_unmarked_async_test_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_one="""
        from hypothesis import given, strategies as st


        async def test_unmarked():
            pass


        @given(st.just(1))
        async def test_unmarked_hypothesis(value):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    for name in ("test_unmarked", "test_unmarked_hypothesis"):
        assert (
            f"test_one.py::{name} is an async test without @pytest.mark.asyncio, and in strict "
            "mode only marked tests run. Mark it @pytest.mark.asyncio (or mark its class, or "
            "its module with pytestmark = pytest.mark.asyncio), or set asyncio_mode = auto to "
            "run every async test."
        ) in result.outlines
    assert "Traceback" not in result.stdout.str()


OTHER_PLUGIN = """
import asyncio
import inspect

import pytest


@pytest.hookimpl
def pytest_pyfunc_call(pyfuncitem):
    # Like a plugin of another async framework: it runs every async test it is offered.
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**kwargs))
        return True
    return None
"""


def test_unmarked_async_test_left_to_a_plugin_that_runs_it(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(OTHER_PLUGIN)
    pytester.makepyfile(
        """
        import asyncio

        import pytest

        RAN = []


        async def test_unmarked():
            await asyncio.sleep(0)
            RAN.append("unmarked")


        @pytest.mark.asyncio
        async def test_marked():
            RAN.append("marked")


        def test_zz_both_ran():
            assert sorted(RAN) == ["marked", "unmarked"]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_tests_claimed_by_other_plugins_keep_their_failure(pytester: pytest.Pytester) -> None:
    # A test marked for trio, without its plugin: pytest's failure stands, not ours.
    pytester.makepyfile(
        """
        import pytest


        @pytest.mark.trio
        async def test_trio():
            pass
        """
    )
    result = pytester.runpytest("-W", "ignore::pytest.PytestUnknownMarkWarning")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])
    assert "without @pytest.mark.asyncio" not in result.stdout.str()
