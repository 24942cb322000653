"""The package loop of package-scoped async fixtures.

SPEC "Loops and scopes": one loop per package. A package-scoped async fixture, defined in the
package's conftest.py or in one of its modules, runs on that package's loop: the loop its
``loop_scope="package"`` tests run on. Also when the package is the rootdir (its
``__init__.py`` beside the ini file, as pytester makes it), where pytest caches such a fixture
on the session.
"""

from __future__ import annotations

import pytest

FIXTURE = """
import asyncio

import pytest_asyncio


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def package_loop():
    loop = asyncio.get_running_loop()
    print("package_loop: setup")
    yield loop
    assert asyncio.get_running_loop() is loop
    print("package_loop: teardown")
"""

TESTS = """
import asyncio

import pytest


@pytest.mark.asyncio(loop_scope="package")
async def test_one(package_loop):
    assert package_loop is asyncio.get_running_loop()


@pytest.mark.asyncio(loop_scope="package")
async def test_two(package_loop):
    assert package_loop is asyncio.get_running_loop()
"""


@pytest.mark.parametrize("where", ["conftest", "module"])
@pytest.mark.parametrize("package", ["rootdir", "subdirectory"])
def test_package_fixture_shares_the_package_tests_loop(
    pytester: pytest.Pytester, package: str, where: str
) -> None:
    prefix = "" if package == "rootdir" else "pkg/"
    if where == "conftest":
        files = {"conftest": FIXTURE, "test_package": TESTS}
    else:
        files = {"test_package": FIXTURE + TESTS}
    files["__init__"] = ""
    pytester.makepyfile(**{prefix + name: text for name, text in files.items()})
    result = pytester.runpytest("-s", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
    output = result.stdout.str()
    assert output.count("package_loop: setup") == 1
    assert output.count("package_loop: teardown") == 1
