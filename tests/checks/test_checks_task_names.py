"""The checks' task factory leaves task names as asyncio gives them: an unnamed task is
'Task-<n>', also on Python 3.13.0 - 3.13.2, whose create_task() renames every task a factory
returns to 'None' when no name is given; reports name the task the same way."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from pytest_asyncio import _checks

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

pytestmark = pytest.mark.timeout(60)

NAMES = """
import asyncio
import re

import pytest

pytestmark = pytest.mark.asyncio


async def test_names():
    unnamed = asyncio.create_task(asyncio.sleep(0))
    named = asyncio.create_task(asyncio.sleep(0), name="worker")
    await asyncio.gather(unnamed, named)
    assert re.fullmatch("Task-[0-9]+", unnamed.get_name()), unnamed.get_name()
    assert repr(unnamed).startswith("<Task finished name='Task-"), repr(unnamed)
    assert named.get_name() == "worker"
    unnamed.set_name(None)  # a name set by the test itself is kept, as asyncio keeps it
    assert unnamed.get_name() == "None"


async def test_leaks():
    asyncio.create_task(asyncio.sleep(10))
"""


@pytest.mark.parametrize("check", _checks.NAMES)
def test_unnamed_tasks_keep_their_default_name(
    pytester: pytest.Pytester, ini: IniWriter, check: str
) -> None:
    ini(asyncio_mode="strict", asyncio_checks=check)
    pytester.makepyfile(test_names=NAMES)
    result = pytester.runpytest()
    if check != "task-leaks":
        result.assert_outcomes(passed=2)
        return
    result.assert_outcomes(passed=2, errors=1)
    leak = re.search(
        r"\[task-leaks\] task '([^']*)' \(created at test_names.py:21 ", result.stdout.str()
    )
    assert leak is not None, result.stdout.str()
    assert re.fullmatch("Task-[0-9]+", leak.group(1)), leak.group(1)
