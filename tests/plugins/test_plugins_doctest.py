"""SPEC "Other behaviour users rely on": ``--doctest-modules``. Doctests in a module holding
async tests run and pass, in both modes, and the async tests still run on their loops; a doctest
that runs ``asyncio.run()`` while a wider loop is open breaks neither that loop nor its tests."""

from __future__ import annotations

import pytest

# Module docstring, a helper's docstring and an async test's docstring all hold doctests. The
# async tests (one with another mark as well) share the session loop with test_zz_later.py.
DOCTESTED_MODULE = '''
"""Helpers for the tests below.

>>> double(21)
42
"""

import asyncio

import pytest

LOOPS = []


def double(value):
    """Twice *value*.

    >>> double(2)
    4
    >>> [double(n) for n in range(3)]
    [0, 2, 4]
    """
    return 2 * value


async def add(a, b):
    """Add after a loop iteration; run it from a doctest with asyncio.run().

    >>> asyncio.run(add(1, 2))
    3
    """
    await asyncio.sleep(0)
    return a + b


@pytest.mark.asyncio(loop_scope="session")
async def test_async():
    """The docstring of an async test is a doctest too.

    >>> double(3)
    6
    """
    LOOPS.append(asyncio.get_running_loop())
    assert await add(2, 3) == 5


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="session")
async def test_marked_twice(request):
    assert request.node.get_closest_marker("slow") is not None
    LOOPS.append(asyncio.get_running_loop())
    assert LOOPS[0] is LOOPS[-1]
'''

# Collected after test_doctested.py; its doctest runs asyncio.run() while the session loop of
# the tests above is open, then an async test checks it is still on that same loop.
LATER_MODULE = '''
"""
>>> import asyncio
>>> from test_doctested import add
>>> asyncio.run(add(40, 2))
42
"""

import asyncio

import pytest

from test_doctested import LOOPS


@pytest.mark.asyncio(loop_scope="session")
async def test_still_on_the_session_loop():
    loop = asyncio.get_running_loop()
    assert len(LOOPS) == 2
    assert loop is LOOPS[0]
    assert not loop.is_closed()
'''


@pytest.mark.usefixtures("mode")
def test_doctests_and_async_tests_all_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_doctested=DOCTESTED_MODULE, test_zz_later=LATER_MODULE)
    result = pytester.runpytest("--doctest-modules", "-o", "markers=slow: slow", "-v")
    # 4 doctests (module, double, add, test_async) + 1 in test_zz_later, 3 async tests.
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines_random(
        [
            "*test_doctested.py::test_doctested PASSED*",
            "*test_doctested.py::test_doctested.double PASSED*",
            "*test_doctested.py::test_doctested.add PASSED*",
            "*test_doctested.py::test_doctested.test_async PASSED*",
            "*test_doctested.py::test_async PASSED*",
            "*test_doctested.py::test_marked_twice PASSED*",
            "*test_zz_later.py::test_zz_later PASSED*",
            "*test_zz_later.py::test_still_on_the_session_loop PASSED*",
        ]
    )
