"""The plugin calls no API that the running Python deprecates: a suite that uses every feature
(loop scopes, fixtures, the hook, the legacy fixtures and an event_loop_policy override,
timeouts, checks, virtual time) runs with every DeprecationWarning raised in one of our modules
made an error, from the plugin's import on (``PYTHONWARNINGS`` names each module; the ini
filter covers them by prefix).

The asyncio policy API (deprecated from Python 3.14) is called only for what a user asked for:
an ``event_loop_policy`` override, or a test that requests that fixture. There it is the only
way, and those calls silence the warning where they are made."""

from __future__ import annotations

import pkgutil

import pytest

import pytest_asyncio

TIMEOUT = 120


def our_modules() -> list[str]:
    """The names of every module of the package, imported or not."""
    prefix = f"{pytest_asyncio.__name__}."
    found = [module.name for module in pkgutil.walk_packages(pytest_asyncio.__path__, prefix)]
    return [pytest_asyncio.__name__, *found]


def test_our_modules_are_all_listed() -> None:
    modules = our_modules()
    assert {
        "pytest_asyncio.plugin",
        "pytest_asyncio._legacy",
        "pytest_asyncio._checks._watch",
        "pytest_asyncio._plugins.fixtures",
    } <= set(modules)


CONFTEST = """
import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def shared():
    yield asyncio.get_running_loop()
"""

FEATURES = """
import asyncio
import contextvars
import sys

import pytest
import pytest_asyncio

VAR = contextvars.ContextVar("var", default=None)


@pytest_asyncio.fixture
async def value():
    VAR.set("set by the fixture")
    await asyncio.sleep(0)
    yield 1


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def module_loop():
    return asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_function_fixture(value, unused_tcp_port):
    assert value == 1
    assert VAR.get() == "set by the fixture"
    assert unused_tcp_port > 0


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop(module_loop):
    assert asyncio.get_running_loop() is module_loop


@pytest.mark.asyncio(loop_scope="session")
async def test_session_loop(shared):
    assert asyncio.get_running_loop() is shared


@pytest.mark.asyncio
async def test_awaitable_lookup(request):
    assert await pytest_asyncio.getfixturevalue(request, "value") == 1


@pytest.mark.asyncio(timeout=5, checks="all")
async def test_timeout_and_checks():
    task = asyncio.create_task(asyncio.sleep(0))
    await task
    if sys.version_info >= (3, 11):
        async with asyncio.TaskGroup() as group:
            group.create_task(asyncio.sleep(0))


@pytest.mark.asyncio(clock="virtual")
async def test_virtual_time(virtual_clock):
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.sleep(3600)
    assert loop.time() - start > 3599.99  # a float difference of two large times


@pytest.mark.asyncio(timeout=0.5)
async def test_hang_is_reported():
    await asyncio.Event().wait()


def test_sync(value):
    assert value == 1


def test_default_policy_fixture(event_loop_policy):
    assert event_loop_policy.new_event_loop


class TestMethods:
    @pytest.mark.asyncio(loop_scope="class")
    async def test_method(self):
        await asyncio.sleep(0)
"""

LEGACY_CONFTEST = """
import asyncio

import pytest


class Policy(type(asyncio.get_event_loop_policy())):
    pass


@pytest.fixture(scope="session")
def event_loop_policy():
    return Policy()
"""

LEGACY = """
import asyncio

import pytest


@pytest.mark.asyncio
async def test_event_loop_fixture(event_loop):
    assert asyncio.get_running_loop() is event_loop


@pytest.mark.asyncio(scope="module")
async def test_scope_keyword():
    await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_policy_override(event_loop_policy):
    assert type(event_loop_policy).__name__ == "Policy"
"""

FACTORIES_CONFTEST = """
import asyncio


def pytest_asyncio_loop_factories(config, item):
    return {"selector": asyncio.SelectorEventLoop}
"""

FACTORIES = """
import asyncio

import pytest


@pytest.mark.asyncio
async def test_on_the_hooks_loop():
    assert isinstance(asyncio.get_running_loop(), asyncio.SelectorEventLoop)
"""


def test_no_deprecated_api_of_this_python_is_called(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    filters = [f"error::DeprecationWarning:{name}" for name in our_modules()]
    monkeypatch.setenv("PYTHONWARNINGS", ",".join(filters))
    pytester.makeini("[pytest]\nfilterwarnings =\n    error::DeprecationWarning:pytest_asyncio\n")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_features=FEATURES)
    for name, conftest, tests in [
        ("legacy", LEGACY_CONFTEST, LEGACY),
        ("factories", FACTORIES_CONFTEST, FACTORIES),
    ]:
        package = pytester.mkpydir(name)
        (package / "conftest.py").write_text(conftest)
        (package / f"test_{name}.py").write_text(tests)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestDeprecationWarning", timeout=TIMEOUT
    )
    result.assert_outcomes(passed=13, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_features.py::test_hang_is_reported*"])
    assert "DeprecationWarning" not in result.stdout.str()
    assert "Traceback" not in result.stderr.str()
