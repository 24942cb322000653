"""unittest test cases: async test methods never pass without running (DESIGN invariant 1).

A plain ``unittest.TestCase`` calls an async test method without awaiting it, so it would pass
unrun: each such method errors at setup with a message saying to use
``unittest.IsolatedAsyncioTestCase``. Sync methods run as usual, and
``IsolatedAsyncioTestCase`` runs its async methods itself.
"""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

TESTS = """
import asyncio
import unittest

import pytest

EVENTS = []


class PlainCase(unittest.TestCase):
    async def test_async(self):
        EVENTS.append("PlainCase.test_async ran")

    @pytest.mark.asyncio
    async def test_async_marked(self):
        EVENTS.append("PlainCase.test_async_marked ran")

    def test_sync(self):
        EVENTS.append("PlainCase.test_sync")


class AsyncCase(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.loop = asyncio.get_running_loop()
        EVENTS.append("asyncSetUp")

    async def asyncTearDown(self):
        assert asyncio.get_running_loop() is self.loop
        EVENTS.append("asyncTearDown")

    async def test_fails(self):
        assert asyncio.get_running_loop() is self.loop
        self.assertEqual(1, 2)

    async def test_passes(self):
        assert asyncio.get_running_loop() is self.loop
        await asyncio.sleep(0)
        EVENTS.append("AsyncCase.test_passes")


def test_what_ran():
    assert EVENTS == [
        "PlainCase.test_sync",
        "asyncSetUp",
        "asyncTearDown",
        "asyncSetUp",
        "AsyncCase.test_passes",
        "asyncTearDown",
    ]
"""


def test_async_methods_of_plain_test_case_error(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_cases=TESTS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=1, errors=2, warnings=0)
    output = result.stdout.str()
    for name in ("test_async", "test_async_marked"):
        nodeid = f"test_cases.py::PlainCase::{name}"
        assert f"ERROR at setup of PlainCase.{name} " in output, output
        assert _messages.UNITTEST_ASYNC_METHOD.format(nodeid=nodeid) in output, output
    result.stdout.fnmatch_lines(["FAILED test_cases.py::AsyncCase::test_fails - *"])
    assert "never awaited" not in output


def test_skip_marks_win(pytester: pytest.Pytester, mode: str) -> None:
    """A skipped async method is reported skipped, as the user asked, not as an error."""
    pytester.makepyfile(
        test_skipped="""
        import unittest

        import pytest


        class PlainCase(unittest.TestCase):
            @pytest.mark.skip(reason="skip mark")
            async def test_skip_mark(self):
                pass

            @pytest.mark.skipif(True, reason="skipif mark")
            async def test_skipif_mark(self):
                pass

            @unittest.skip("unittest skip")
            async def test_unittest_skip(self):
                pass
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=3, warnings=0)
    result.stdout.fnmatch_lines_random(
        [
            "SKIPPED [[]1[]] test_skipped.py:*: skip mark",
            "SKIPPED [[]1[]] test_skipped.py:*: skipif mark",
            "SKIPPED [[]1[]] test_skipped.py:*: unittest skip",
        ]
    )
