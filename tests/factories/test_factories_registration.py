"""Loop-factory parametrization starts once an implementation of ``pytest_asyncio_loop_factories``
is registered, whenever that is: a conftest of a subdirectory, found while collecting after other
test modules were collected; or a plugin module given with ``-p``, registered before the plugin
declares the hook. Each async test under an implementation runs once per factory it names; the
others run once, on the default loop; sync tests are never parametrized.
"""

from __future__ import annotations

import pytest

HOOK = """
import asyncio


class AlphaLoop(asyncio.SelectorEventLoop):
    pass


class BetaLoop(asyncio.SelectorEventLoop):
    pass


def pytest_asyncio_loop_factories(config, item):
    return {"alpha": AlphaLoop, "beta": BetaLoop}
"""

# Async tests checking their loop's class against their parameter id, and a sync test.
HOOKED_TESTS = """
import asyncio

import pytest


def expected(request):
    return request.node.callspec.id.capitalize() + "Loop"


@pytest.mark.asyncio
async def test_function_loop(request):
    assert type(asyncio.get_running_loop()).__name__ == expected(request)


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop(request):
    assert type(asyncio.get_running_loop()).__name__ == expected(request)


def test_sync(request):
    assert not hasattr(request.node, "callspec")
"""

HOOKED_IDS = [
    "test_function_loop[alpha]",
    "test_function_loop[beta]",
    "test_module_loop[alpha]",
    "test_module_loop[beta]",
    "test_sync",
]

# Async tests that no implementation covers.
PLAIN_TESTS = """
import asyncio

import pytest


@pytest.mark.asyncio
async def test_default_loop(request):
    assert not hasattr(request.node, "callspec")
    assert type(asyncio.get_running_loop()).__name__ not in ("AlphaLoop", "BetaLoop")
"""


def _check(result: pytest.RunResult, ids: dict[str, list[str]]) -> None:
    """Exactly the tests of *ids* (by file) ran, and passed."""
    result.assert_outcomes(passed=sum(len(names) for names in ids.values()))
    output = result.stdout.str()
    for path, names in ids.items():
        for name in names:
            assert f"{path}::{name} PASSED" in output, output


def _layout(pytester: pytest.Pytester) -> None:
    """A directory collected before the one with the hook, and one after."""
    pytester.makepyfile(
        **{
            "a_before/test_before": PLAIN_TESTS,
            "m_hooked/conftest": HOOK,
            "m_hooked/test_hooked": HOOKED_TESTS,
            "m_hooked/test_hooked_too": HOOKED_TESTS,
            "z_after/test_after": PLAIN_TESTS,
            "test_root": PLAIN_TESTS,
        }
    )


HOOKED = {
    "m_hooked/test_hooked.py": HOOKED_IDS,
    "m_hooked/test_hooked_too.py": HOOKED_IDS,
}
PLAIN = {
    "a_before/test_before.py": ["test_default_loop"],
    "z_after/test_after.py": ["test_default_loop"],
    "test_root.py": ["test_default_loop"],
}


def test_subdirectory_conftest_parametrizes_only_its_tests(
    pytester: pytest.Pytester, mode: str
) -> None:
    _layout(pytester)
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    _check(result, {**HOOKED, **PLAIN})


def test_subdirectory_conftest_when_only_that_directory_runs(
    pytester: pytest.Pytester, mode: str
) -> None:
    """The conftest is then loaded before collection starts."""
    _layout(pytester)
    result = pytester.runpytest("-v", "-p", "no:cacheprovider", "m_hooked")
    _check(result, HOOKED)


def test_subdirectory_conftest_with_a_test_module_before_it(
    pytester: pytest.Pytester, mode: str
) -> None:
    """Given paths in two directories: the tests of the other directory stay unparametrized."""
    _layout(pytester)
    result = pytester.runpytest(
        "-v", "-p", "no:cacheprovider", "a_before/test_before.py", "m_hooked/test_hooked.py"
    )
    _check(
        result,
        {
            "a_before/test_before.py": ["test_default_loop"],
            "m_hooked/test_hooked.py": HOOKED_IDS,
        },
    )


def test_no_implementation_no_parametrization(pytester: pytest.Pytester, mode: str) -> None:
    """The control of the tests above: the same tree without the hook."""
    pytester.makepyfile(**{"a_before/test_before": PLAIN_TESTS, "test_root": PLAIN_TESTS})
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    _check(
        result,
        {"a_before/test_before.py": ["test_default_loop"], "test_root.py": ["test_default_loop"]},
    )


def test_plugin_given_with_p_parametrizes_every_async_test(
    pytester: pytest.Pytester, mode: str
) -> None:
    pytester.makepyfile(
        factories_plugin=HOOK,
        test_first=HOOKED_TESTS,
        **{"sub/test_second": HOOKED_TESTS},
    )
    pytester.syspathinsert()
    result = pytester.runpytest("-v", "-p", "no:cacheprovider", "-p", "factories_plugin")
    _check(result, {"test_first.py": HOOKED_IDS, "sub/test_second.py": HOOKED_IDS})


def test_plugin_given_with_p_without_autoload(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """Our plugin given with -p too: after the factories plugin, then before it."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(factories_plugin=HOOK, test_first=HOOKED_TESTS)
    pytester.syspathinsert()
    for order in (
        ("-p", "factories_plugin", "-p", "pytest_asyncio.plugin"),
        ("-p", "pytest_asyncio.plugin", "-p", "factories_plugin"),
    ):
        result = pytester.runpytest("-v", "-p", "no:cacheprovider", *order)
        _check(result, {"test_first.py": HOOKED_IDS})
