"""The task that runs a test or fixture is named after it, so asyncio's own messages (here
debug mode's slow-step warning) say which test or fixture they are about."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(60)


def test_asyncio_messages_name_the_test_and_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_slow="""
        import time
        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def blocking():
            time.sleep(0.15)
            yield
            time.sleep(0.15)


        @pytest.mark.asyncio
        async def test_blocks(blocking):
            time.sleep(0.15)
        """
    )
    result = pytester.runpytest("--asyncio-debug", "-rA", "-o", "log_level=WARNING")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*Executing <Task * name=\"setup of async fixture 'blocking'\" * took *",
            "*Executing <Task * name='test_slow.py::test_blocks' * took *",
            "*Executing <Task * name=\"teardown of async fixture 'blocking'\" * took *",
        ]
    )
