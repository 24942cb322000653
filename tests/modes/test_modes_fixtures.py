"""SPEC "Modes": fixtures made with pytest_asyncio.fixture run in both modes; an async
``@pytest.fixture`` requested by a marked test is not ours in strict mode and is warned about."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages


def test_decorated_async_fixtures_run_in_both_modes(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import contextvars

        import pytest
        import pytest_asyncio

        EVENTS = []
        current = contextvars.ContextVar("current", default="unset")


        @pytest_asyncio.fixture
        async def coroutine_fixture():
            current.set("coroutine")
            return asyncio.get_running_loop()


        @pytest_asyncio.fixture
        async def generator_fixture(coroutine_fixture):
            EVENTS.append("setup")
            yield coroutine_fixture
            assert asyncio.get_running_loop() is coroutine_fixture
            EVENTS.append("teardown")


        @pytest.mark.asyncio
        async def test_async(generator_fixture):
            assert generator_fixture is asyncio.get_running_loop()
            assert current.get() == "coroutine"
            assert EVENTS == ["setup"]


        def test_sync(generator_fixture):
            assert isinstance(generator_fixture, asyncio.AbstractEventLoop)
            assert EVENTS == ["setup", "teardown", "setup"]


        def test_zz_teardowns_ran():
            assert EVENTS == ["setup", "teardown", "setup", "teardown"]
        """
    )
    result = pytester.runpytest("-W", "error")
    result.assert_outcomes(passed=3, warnings=0)


def test_plain_async_fixture_with_marked_test(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        """
        import asyncio

        import pytest

        RAN = []


        @pytest.fixture
        async def plain_fixture():
            RAN.append(asyncio.get_running_loop())
            return 42


        @pytest.mark.asyncio
        async def test_marked(plain_fixture):
            assert plain_fixture == 42
            assert RAN == [asyncio.get_running_loop()]
        """
    )
    result = pytester.runpytest()
    if mode == "auto":
        result.assert_outcomes(passed=1, warnings=0)
        return
    message = _messages.STRICT_UNMARKED_ASYNC_FIXTURE.format(
        nodeid="test_plain_async_fixture_with_marked_test.py::test_marked", name="plain_fixture"
    )
    warning = f"PytestAsyncioDeprecationWarning: {message}"
    assert any(line.endswith(warning) for line in result.outlines)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0
    if pytest.version_tuple >= (9, 1):
        # pytest itself refuses the async fixture at setup.
        result.assert_outcomes(errors=1, warnings=1)
    else:
        assert outcomes.get("failed", 0) + outcomes.get("errors", 0) == 1
