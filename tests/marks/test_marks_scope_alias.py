"""``@pytest.mark.asyncio(scope=...)``: the deprecated alias of ``loop_scope``.

SPEC "The marker": ``scope=`` works, with a deprecation warning; ``scope=`` together with
``loop_scope=`` is an error for that test.
"""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

INNER = """
import asyncio

import pytest

LOOPS = []


@pytest.mark.asyncio(scope="module")
async def test_alias():
    LOOPS.append(asyncio.get_running_loop())


@pytest.mark.asyncio(loop_scope="module")
async def test_same_module_loop():
    assert LOOPS == [asyncio.get_running_loop()]


@pytest.mark.asyncio(scope="module", loop_scope="module")
async def test_both():
    LOOPS.append("test_both ran")


def test_both_did_not_run():
    assert len(LOOPS) == 1
"""


def test_scope_alias_warns_once_and_both_keywords_fail(
    pytester: pytest.Pytester, mode: str
) -> None:
    pytester.makepyfile(test_alias=INNER)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, errors=1, warnings=1)
    output = result.stdout.str()
    deprecated = _messages.MARK_SCOPE_DEPRECATED.format(
        nodeid="test_alias.py::test_alias", value="module"
    )
    assert f"PytestAsyncioDeprecationWarning: {deprecated}" in output
    assert output.count(deprecated) == 1
    assert "ERROR at setup of test_both" in output
    both = _messages.MARK_SCOPE_AND_LOOP_SCOPE.format(
        nodeid="test_alias.py::test_both", value="module"
    )
    assert both in output


def test_scope_alias_warning_is_a_pytest_deprecation_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_alias=INNER)
    result = pytester.runpytest("-W", "ignore::pytest.PytestDeprecationWarning")
    result.assert_outcomes(passed=3, errors=1, warnings=0)
