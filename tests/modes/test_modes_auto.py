"""SPEC "Modes", auto: every async test gets the mark and runs, every async fixture is ours,
and tests marked for another async plugin are left alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

FOREIGN_MARKERS = "\n    anyio: run with anyio\n    trio: run with trio"


def test_auto_marks_and_runs_every_async_test(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="auto")
    pytester.makepyfile(
        """
        import asyncio

        import pytest


        def _check(request):
            assert request.node.get_closest_marker("asyncio") is not None
            task = asyncio.current_task()
            assert task is not None and not task.done()


        async def test_function(request):
            _check(request)


        class TestClass:
            async def test_method(self, request):
                assert request.instance is self
                _check(request)

            @staticmethod
            async def test_static(request):
                _check(request)


        @pytest.mark.parametrize("value", [1, 2])
        async def test_parametrized(request, value):
            _check(request)
            assert request.node.callspec.params["value"] == value


        def test_sync():
            with pytest.raises(RuntimeError):
                asyncio.get_running_loop()
        """
    )
    result = pytester.runpytest("-m", "asyncio", "-W", "error")
    result.assert_outcomes(passed=5, deselected=1)
    result = pytester.runpytest("-m", "not asyncio")
    result.assert_outcomes(passed=1, deselected=5)


def test_auto_runs_every_async_fixture(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="auto")
    pytester.makepyfile(
        """
        import asyncio

        import pytest

        EVENTS = []


        @pytest.fixture
        async def coroutine_fixture():
            return asyncio.get_running_loop()


        @pytest.fixture
        async def generator_fixture():
            loop = asyncio.get_running_loop()
            EVENTS.append("setup")
            yield loop
            assert asyncio.get_running_loop() is loop
            EVENTS.append("teardown")


        async def test_async(coroutine_fixture, generator_fixture):
            loop = asyncio.get_running_loop()
            assert coroutine_fixture is loop
            assert generator_fixture is loop
            assert EVENTS == ["setup"]


        def test_sync(coroutine_fixture, generator_fixture):
            assert isinstance(coroutine_fixture, asyncio.AbstractEventLoop)
            assert generator_fixture is coroutine_fixture
            assert EVENTS == ["setup", "teardown", "setup"]


        def test_zz_teardowns_ran():
            assert EVENTS == ["setup", "teardown", "setup", "teardown"]
        """
    )
    result = pytester.runpytest("-W", "error")
    result.assert_outcomes(passed=3, warnings=0)


def test_auto_leaves_tests_of_other_async_plugins_alone(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="auto", markers=FOREIGN_MARKERS)
    pytester.makepyfile(
        """
        import asyncio

        import pytest

        RAN = []


        @pytest.mark.anyio
        async def test_anyio():
            RAN.append("anyio")


        @pytest.mark.trio
        async def test_trio():
            RAN.append("trio")


        async def test_ours():
            assert asyncio.get_running_loop().is_running()


        def test_zz_foreign_tests_not_run():
            assert RAN == []
        """
    )
    # -p no:anyio: as if anyio's plugin were not installed (tests/compat covers it installed).
    result = pytester.runpytest("--strict-markers", "-p", "no:anyio")
    # Left to their plugins, which are not installed: pytest's own failure, never a pass.
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["FAILED *::test_anyio*", "FAILED *::test_trio*"])
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])
    # They do not get our mark either.
    result = pytester.runpytest("--strict-markers", "-p", "no:anyio", "-m", "asyncio")
    result.assert_outcomes(passed=1, deselected=3)


def test_auto_reads_the_marks_of_modules_and_classes_for_each_of_their_tests(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    """Several tests under each module and class: a foreign mark or our mark with arguments
    there holds for every test under it, not only the first one looked at."""
    ini(asyncio_mode="auto", markers=FOREIGN_MARKERS)
    pytester.makepyfile(
        test_foreign_module="""
        import pytest

        pytestmark = pytest.mark.anyio


        async def test_one():
            pass


        async def test_two():
            pass
        """,
        test_mixed="""
        import asyncio

        import pytest


        @pytest.mark.trio
        class TestForeign:
            async def test_one(self):
                pass

            async def test_two(self):
                pass


        @pytest.mark.asyncio(loop_scope="class")
        class TestShared:
            async def test_one(self):
                type(self).loop = asyncio.get_running_loop()

            async def test_two(self):
                assert asyncio.get_running_loop() is type(self).loop


        class TestPlain:
            async def test_one(self, request):
                assert request.node.get_closest_marker("asyncio").kwargs == {}

            async def test_two(self, request):
                assert request.node.get_closest_marker("asyncio").kwargs == {}
        """,
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:anyio", "-m", "asyncio", "-v")
    result.assert_outcomes(passed=4, deselected=4)
    result.stdout.fnmatch_lines_random(
        [
            "*TestShared::test_one PASSED*",
            "*TestShared::test_two PASSED*",
            "*TestPlain::test_one PASSED*",
            "*TestPlain::test_two PASSED*",
        ]
    )
