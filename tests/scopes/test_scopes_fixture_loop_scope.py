"""SPEC "Loops and scopes" and "pytest_asyncio.fixture": a fixture's loop scope (explicit, from
``asyncio_default_fixture_loop_scope``, or its cache scope) decides which loop it runs on; one
narrower than the cache scope is an error naming the fixture and both scopes; a test may use a
fixture that runs on another loop."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

SCOPES = ["function", "class", "module", "package", "session"]

NARROW_LOOP = """
import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture(scope={scope!r}{loop_scope_argument})
async def narrow_loop_fixture():
    return asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_uses_it(narrow_loop_fixture):
    assert narrow_loop_fixture is not None


@pytest.mark.asyncio
async def test_uses_it_again(narrow_loop_fixture):
    assert narrow_loop_fixture is not None


@pytest.mark.asyncio
async def test_does_not_use_it():
    await asyncio.sleep(0)
"""


@pytest.mark.parametrize(
    ("scope", "loop_scope", "from_ini"),
    [
        ("module", "function", False),
        ("class", "function", False),
        ("session", "package", False),
        ("module", "function", True),
    ],
)
def test_loop_scope_narrower_than_cache_scope_is_an_error(
    pytester: pytest.Pytester, ini: IniWriter, scope: str, loop_scope: str, from_ini: bool
) -> None:
    if from_ini:
        ini(asyncio_mode="strict", asyncio_default_fixture_loop_scope=loop_scope)
        argument = ""
    else:
        ini(asyncio_mode="strict")
        argument = f", loop_scope={loop_scope!r}"
    pytester.makepyfile(NARROW_LOOP.format(scope=scope, loop_scope_argument=argument))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=2)
    expected = _messages.FIXTURE_LOOP_NARROWER_THAN_CACHE.format(
        name="narrow_loop_fixture", scope=scope, loop_scope=loop_scope
    )
    output = result.stdout.str()
    # Every test that requests the fixture gets the message, not only the first one.
    assert output.count(expected) >= 2
    assert "AssertionError" not in output
    # The user's names only: no pytest ScopeMismatch about an internal fixture, no plugin frames.
    assert "ScopeMismatch" not in output
    assert "_pytest_asyncio" not in output
    assert "pytest_asyncio/" not in output


# For each value of asyncio_default_fixture_loop_scope: a function-cached and a module-cached
# fixture without loop_scope=, each checked against tests on each of the five loop scopes.
DEFAULT_FIXTURE_LOOP_SCOPE = """
import asyncio

import pytest
import pytest_asyncio

FUNCTION_FIXTURE_LOOP = {function_fixture_loop!r}
MODULE_FIXTURE_LOOP = {module_fixture_loop!r}


@pytest_asyncio.fixture
async def function_fixture():
    return asyncio.get_running_loop()


@pytest_asyncio.fixture(scope="module")
async def module_fixture():
    return asyncio.get_running_loop()


class TestLoops:
    @pytest.mark.asyncio(loop_scope="function")
    async def test_function_loop_function_fixture(self, function_fixture):
        assert (function_fixture is asyncio.get_running_loop()) == (
            FUNCTION_FIXTURE_LOOP == "function"
        )

    @pytest.mark.asyncio(loop_scope="class")
    async def test_class_loop_function_fixture(self, function_fixture):
        assert (function_fixture is asyncio.get_running_loop()) == (
            FUNCTION_FIXTURE_LOOP == "class"
        )

    @pytest.mark.asyncio(loop_scope="module")
    async def test_module_loop_function_fixture(self, function_fixture):
        assert (function_fixture is asyncio.get_running_loop()) == (
            FUNCTION_FIXTURE_LOOP == "module"
        )

    @pytest.mark.asyncio(loop_scope="package")
    async def test_package_loop_function_fixture(self, function_fixture):
        assert (function_fixture is asyncio.get_running_loop()) == (
            FUNCTION_FIXTURE_LOOP == "package"
        )

    @pytest.mark.asyncio(loop_scope="session")
    async def test_session_loop_function_fixture(self, function_fixture):
        assert (function_fixture is asyncio.get_running_loop()) == (
            FUNCTION_FIXTURE_LOOP == "session"
        )

    @pytest.mark.asyncio(loop_scope="module")
    async def test_module_loop_module_fixture(self, module_fixture):
        assert (module_fixture is asyncio.get_running_loop()) == (MODULE_FIXTURE_LOOP == "module")

    @pytest.mark.asyncio(loop_scope="package")
    async def test_package_loop_module_fixture(self, module_fixture):
        assert (module_fixture is asyncio.get_running_loop()) == (
            MODULE_FIXTURE_LOOP == "package"
        )

    @pytest.mark.asyncio(loop_scope="session")
    async def test_session_loop_module_fixture(self, module_fixture):
        assert (module_fixture is asyncio.get_running_loop()) == (
            MODULE_FIXTURE_LOOP == "session"
        )
"""


@pytest.mark.parametrize("setting", [None, *SCOPES, "fixture-scope"])
def test_default_fixture_loop_scope_setting(
    pytester: pytest.Pytester, ini: IniWriter, setting: str | None
) -> None:
    if setting is None:
        ini(asyncio_mode="strict")
    else:
        ini(asyncio_mode="strict", asyncio_default_fixture_loop_scope=setting)
    function_fixture_loop = setting if setting in SCOPES else "function"
    module_fixture_loop = setting if setting in SCOPES else "module"
    # In a package, so that the package loop differs from the session loop.
    (pytester.mkpydir("pkg") / "test_default.py").write_text(
        DEFAULT_FIXTURE_LOOP_SCOPE.format(
            function_fixture_loop=function_fixture_loop, module_fixture_loop=module_fixture_loop
        )
    )
    result = pytester.runpytest()
    if module_fixture_loop in ("function", "class"):
        result.assert_outcomes(passed=5, errors=3)
        expected = _messages.FIXTURE_LOOP_NARROWER_THAN_CACHE.format(
            name="module_fixture", scope="module", loop_scope=module_fixture_loop
        )
        output = result.stdout.str()
        assert output.count(expected) >= 3
        assert "AssertionError" not in output
    else:
        result.assert_outcomes(passed=8)


# A function-loop test using fixtures on the module and session loops: fine as long as it does
# not await their futures on its own loop.
OTHER_LOOP_FIXTURES = """
import asyncio

import pytest
import pytest_asyncio

SEEN = []


@pytest_asyncio.fixture(loop_scope="module")
async def on_module_loop():
    loop = asyncio.get_running_loop()
    yield {"loop": loop, "data": [1, 2, 3]}
    assert asyncio.get_running_loop() is loop


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def on_session_loop():
    return {"loop": asyncio.get_running_loop()}


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize("n", range(3))
async def test_function_loop(n, on_module_loop, on_session_loop):
    loop = asyncio.get_running_loop()
    SEEN.append((loop, on_module_loop["loop"], on_session_loop["loop"]))
    assert loop is not on_module_loop["loop"]
    assert loop is not on_session_loop["loop"]
    assert on_module_loop["loop"] is not on_session_loop["loop"]
    assert not on_module_loop["loop"].is_running()
    assert not on_module_loop["loop"].is_closed()
    assert await asyncio.sleep(0, result=sum(on_module_loop["data"])) == 6


def test_fixture_loops_shared_across_tests():
    assert len({id(test_loop) for test_loop, _, _ in SEEN}) == 3
    assert len({id(module_loop) for _, module_loop, _ in SEEN}) == 1
    assert len({id(session_loop) for _, _, session_loop in SEEN}) == 1
"""


def test_test_may_use_fixture_on_another_loop(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(OTHER_LOOP_FIXTURES)
    result = pytester.runpytest()
    result.assert_outcomes(passed=4)
