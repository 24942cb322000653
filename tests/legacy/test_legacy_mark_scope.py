"""``@pytest.mark.asyncio(scope=...)`` (pytest-asyncio 0.23-0.26): still selects the loop, with
one deprecation warning per session, naming the first test that uses it."""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

TESTS = """
import asyncio

import pytest

LOOPS = []


@pytest.mark.asyncio(scope="module")
async def test_first():
    LOOPS.append(asyncio.get_running_loop())


@pytest.mark.asyncio(scope="module")
async def test_second():
    LOOPS.append(asyncio.get_running_loop())


class TestClass:
    pytestmark = pytest.mark.asyncio(scope="class")

    async def test_class_1(self):
        LOOPS.append(asyncio.get_running_loop())

    async def test_class_2(self):
        LOOPS.append(asyncio.get_running_loop())


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_is_shared():
    first, second, class_1, class_2 = LOOPS
    assert first is second is asyncio.get_running_loop()
    assert class_1 is class_2
    assert class_1 is not first
"""


def test_scope_keyword_works_and_warns_once(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_a=TESTS, test_b=TESTS)
    result = pytester.runpytest("-W", "always::pytest_asyncio.PytestAsyncioDeprecationWarning")
    result.assert_outcomes(passed=10, warnings=1)
    output = result.stdout.str()
    message = _messages.MARK_SCOPE_DEPRECATED.format(nodeid="test_a.py::test_first", value="module")
    assert output.count(f"PytestAsyncioDeprecationWarning: {message}") == 1, output
    assert output.count("is deprecated; write @pytest.mark.asyncio(loop_scope=") == 1, output
