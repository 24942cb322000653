"""Collection looks only at what pytest collects as a test function.

pytest offers every name of a test module or class to ``pytest_pycollect_makeitem``: imports,
constants, lazy objects of other frameworks. Probing their attributes would create marks
(``from pytest import mark``: ``mark.hypothesis`` is an unknown mark) or run code that raises
(Django's ``settings`` before ``configure()``, Flask's ``current_app`` outside an app context).
"""

from __future__ import annotations

import pytest

LAZY_OBJECTS = """
import asyncio

import pytest
from pytest import mark


class Unconfigured:
    # Like a framework's lazy settings object: every attribute read raises.
    def __getattr__(self, name):
        raise RuntimeError(f"settings are not configured (asked for {name!r})")


settings = Unconfigured()
test_lookalike = Unconfigured()


@mark.asyncio
async def test_marked():
    assert asyncio.get_running_loop().is_running()


class TestClass:
    settings = Unconfigured()
    mark = mark

    @pytest.mark.asyncio
    async def test_method(self):
        assert asyncio.get_running_loop().is_running()


def test_sync():
    pass
"""


def test_module_attributes_are_not_probed(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_lazy=LAZY_OBJECTS)
    result = pytester.runpytest("--strict-markers", "-W", "error")
    result.assert_outcomes(passed=3)
    assert "Unknown pytest.mark" not in result.stdout.str()


OVERRIDE_AND_HELPER = """
import asyncio

import pytest


@pytest.fixture
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


async def helper():
    pass


@pytest.mark.asyncio
async def test_covered():
    await helper()


def test_helper_left_untouched():
    # Only test functions get the override's usefixtures mark, not other async functions.
    assert not hasattr(helper, "pytestmark")
"""


def test_override_marks_only_test_functions(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(test_override=OVERRIDE_AND_HELPER)
    result = pytester.runpytest("-W", "ignore::pytest.PytestDeprecationWarning")
    result.assert_outcomes(passed=2)
