"""SPEC "Other behaviour users rely on": a module-level ``pytest.skip(allow_module_level=True)``
in a module of async tests and async fixtures skips the whole module cleanly: no error, no
warning, no loop created, and the async tests of other modules still run.

``-p no:asyncio`` (async tests fail through pytest's own message, never pass) is covered by
tests/config/test_config_loading.py::test_no_asyncio_disables_everything and
::test_pytest_plugins_in_conftest_with_no_asyncio.
"""

from __future__ import annotations

import pytest

from helpers import COUNTING_CONFTEST

SKIPPED_MODULE = """
import asyncio

import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope=LOOP_SCOPE)

pytest.skip("no backend here", allow_module_level=True)


@pytest_asyncio.fixture(scope="module", loop_scope="module", autouse=True)
async def never_set_up():
    raise AssertionError("set up in a skipped module")


async def test_never_runs():
    raise AssertionError("ran in a skipped module")


class TestNeverRuns:
    async def test_method(self):
        raise AssertionError("ran in a skipped module")
"""

RUNNING_MODULE = """
import asyncio

import pytest


@pytest.mark.asyncio(loop_scope=LOOP_SCOPE)
async def test_runs():
    assert asyncio.get_running_loop().is_running()
"""


@pytest.mark.parametrize("loop_scope", ["module", "session"])
@pytest.mark.usefixtures("mode")
def test_module_level_skip(pytester: pytest.Pytester, loop_scope: str) -> None:
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(
        test_a_skipped=SKIPPED_MODULE.replace("LOOP_SCOPE", repr(loop_scope)),
        test_b_running=RUNNING_MODULE.replace("LOOP_SCOPE", repr(loop_scope)),
    )
    result = pytester.runpytest("-rs", "-s", "-W", "error")
    result.assert_outcomes(passed=1, skipped=1, warnings=0)
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] test_a_skipped.py:*: no backend here", "loops created: 1; ran: -"]
    )


@pytest.mark.parametrize(
    ("skip", "reason"),
    [
        pytest.param(None, "no backend here", id="skip"),
        pytest.param(
            'pytest.importorskip("no_such_module_for_asyncio_tests")',
            "could not import 'no_such_module_for_asyncio_tests'*",
            id="importorskip",
        ),
    ],
)
@pytest.mark.usefixtures("mode")
def test_module_level_skip_only(pytester: pytest.Pytester, skip: str | None, reason: str) -> None:
    module = SKIPPED_MODULE.replace("LOOP_SCOPE", "'session'")
    if skip is not None:
        module = module.replace('pytest.skip("no backend here", allow_module_level=True)', skip)
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(test_a_skipped=module)
    result = pytester.runpytest("-rs", "-s")
    result.assert_outcomes(skipped=1, warnings=0)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(
        [f"SKIPPED [[]1[]] test_a_skipped.py*: {reason}", "loops created: 0; ran: -"]
    )
