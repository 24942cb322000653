"""SPEC "Other behaviour users rely on", with pytest-cov: code run by async tests and async
fixtures (setup and teardown, on function and wider loops) is measured, so a small module
driven only from async code, and the async test module itself, are 100% covered."""

from __future__ import annotations

import pytest

MODULE_UNDER_TEST = """
import asyncio


async def add(a, b):
    await asyncio.sleep(0)
    return a + b


async def countdown(n):
    while n:
        await asyncio.sleep(0)
        n -= 1
    return "done"


def double(value):
    return 2 * value
"""

ASYNC_SUITE = """
import asyncio

import pytest
import pytest_asyncio

import calc

CLOSED = []


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def base():
    value = await calc.add(1, 1)
    yield value
    CLOSED.append(calc.double(value))


@pytest_asyncio.fixture
async def three(base):
    return await calc.add(base, 1)


@pytest.mark.asyncio
async def test_add(three):
    result = await calc.add(three, 2)
    assert result == 5


@pytest.mark.asyncio(loop_scope="module")
async def test_countdown(base):
    task = asyncio.create_task(calc.countdown(base))
    assert await task == "done"


def test_base_is_torn_down_with_the_module():
    assert CLOSED == []
"""


@pytest.mark.usefixtures("mode")
def test_async_code_is_covered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(calc=MODULE_UNDER_TEST, test_suite=ASYNC_SUITE)
    result = pytester.runpytest(
        "--cov=calc",
        "--cov=test_suite",
        "--cov-report=term-missing",
        "--cov-fail-under=100",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines_random(
        [
            "calc.py * 0 * 100%",
            "test_suite.py * 0 * 100%",
            "TOTAL * 0 * 100%",
            "Required test coverage of 100% reached*",
        ]
    )
    assert (pytester.path / ".coverage").exists()
