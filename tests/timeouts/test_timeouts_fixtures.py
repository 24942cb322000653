"""Timeouts: each async fixture's setup and teardown step has the limit of its test, apart
from the test's own; the teardowns still run and the run goes on."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("scope", ["function", "module"])
def test_setup_that_hangs_errors_the_test_and_teardowns_run(
    pytester: pytest.Pytester, scope: str
) -> None:
    pytester.makepyfile(
        test_setup=f"""
        import asyncio
        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture(scope="{scope}", loop_scope="{scope}")
        async def outer():
            yield
            print("teardown of outer ran")


        @pytest_asyncio.fixture(scope="{scope}", loop_scope="{scope}")
        async def connect(outer):
            await asyncio.Event().wait()
            yield


        @pytest.mark.asyncio(loop_scope="{scope}", timeout=0.2)
        async def test_uses_it(connect):
            pass


        @pytest.mark.asyncio(loop_scope="{scope}")
        async def test_after():
            await asyncio.sleep(0)
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-s")
    result.assert_outcomes(errors=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_uses_it*",
            "the setup of async fixture 'connect' ran longer than 0.2 s (the limit set by "
            "@pytest.mark.asyncio(timeout=0.2)) and was cancelled. It was waiting here, "
            "outermost call first:",
            "  test_setup.py:14 in connect",
            "      await asyncio.Event().wait()",
        ]
    )
    assert "teardown of outer ran" in result.stdout.str()


def test_teardown_that_hangs_errors_and_outer_teardowns_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_teardown="""
        import asyncio
        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def outer():
            yield
            print("teardown of outer ran")


        @pytest_asyncio.fixture
        async def disconnect(outer):
            yield
            await asyncio.sleep(3600)


        @pytest.mark.asyncio(timeout=0.2)
        async def test_uses_it(disconnect):
            pass


        @pytest.mark.asyncio
        async def test_after():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-s")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_uses_it*",
            "the teardown of async fixture 'disconnect' ran longer than 0.2 s*",
            "  test_teardown.py:15 in disconnect",
            "      await asyncio.sleep(3600)",
        ]
    )
    assert "teardown of outer ran" in result.stdout.str()


def test_fixture_time_does_not_count_against_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def slow():
            await asyncio.sleep(0.3)
            yield
            await asyncio.sleep(0.3)


        @pytest.mark.asyncio(timeout=0.5)
        async def test_uses_it(slow):
            await asyncio.sleep(0.3)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
