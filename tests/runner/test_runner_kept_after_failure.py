"""A failed test's pending tasks live until its loop closes and cancels them: a garbage
collection while pytest reports the failure does not destroy them still pending."""

from __future__ import annotations

import pytest

TIMEOUT = 120

COLLECTS_WHILE_REPORTING = """
import gc
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    gc.collect()  # between the failed call and the teardown that closes the loop
    return report
"""

LEAVES_A_TASK = """
import asyncio
import pytest

CANCELLED = []

async def forgotten():
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        CANCELLED.append("forgotten")
        raise

@pytest.mark.asyncio(loop_scope="{scope}")
async def test_fails():
    asyncio.create_task(forgotten())  # no reference kept
    await asyncio.sleep(0)
    assert False

def test_it_was_cancelled_at_loop_close():
    assert CANCELLED == {expected}
"""


@pytest.mark.parametrize(("scope", "expected"), [("function", ["forgotten"]), ("module", [])])
def test_a_failed_tests_pending_task_is_cancelled_not_destroyed(
    pytester: pytest.Pytester, scope: str, expected: list[str]
) -> None:
    # A module-scoped loop closes after the module's last test: by then nothing cancelled it.
    pytester.makeconftest(COLLECTS_WHILE_REPORTING)
    pytester.makepyfile(LEAVES_A_TASK.format(scope=scope, expected=expected))
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=TIMEOUT)
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "Task was destroyed but it is pending" not in output
