"""Failure reports of tests that run on our loops: the "event loops" section.

Registered by ``_diagnosis.watch()`` when the first job on our loops fails, so a run whose
async tests pass does not even call it.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from pytest_asyncio import _diagnosis


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Explain a failure caused by loops of different scopes, in the report itself (so xdist
    and junitxml carry it). Runs three times per test: a passing phase pays one flag check."""
    report = yield
    if report.failed and call.excinfo is not None:
        _diagnosis.annotate(item, report, call.excinfo.value)
    return report
