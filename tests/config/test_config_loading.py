"""SPEC "Packaging and loading": the public package, the entry point, -p no:asyncio, and loading
from a conftest (the clash with an installed pytest-asyncio: tests/packaging/)."""

from __future__ import annotations

import importlib.metadata
import textwrap

import pytest

import pytest_asyncio

# An async test and a sync test using an async fixture; a last test checks the fixture ran
# exactly when the plugin is active (``EXPECT_RAN`` is substituted per run).
LOADING_SUITE = textwrap.dedent(
    """
    import asyncio

    import pytest
    import pytest_asyncio

    RAN = []


    @pytest_asyncio.fixture
    async def async_value():
        RAN.append(asyncio.get_running_loop())
        return 42


    @pytest.mark.asyncio
    async def test_async():
        assert asyncio.get_running_loop().is_running()


    def test_sync_with_async_fixture(async_value):
        assert async_value == 42


    def test_zz_fixture_ran():
        assert len(RAN) == EXPECT_RAN
    """
)


def test_public_names_are_exported() -> None:
    assert callable(pytest_asyncio.fixture)
    assert callable(pytest_asyncio.is_async_test)
    assert isinstance(pytest_asyncio.__version__, str)
    assert pytest_asyncio.__version__
    assert {"fixture", "is_async_test", "__version__"} <= set(pytest_asyncio.__all__)


def test_plugins_header_names_the_distribution(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_nothing():
            assert True
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"plugins:*asyncio-ng-{pytest_asyncio.__version__}*"])
    assert importlib.metadata.version("pytest-asyncio-ng") == pytest_asyncio.__version__


# Without the plugin, a sync test requesting an async fixture gets an unawaited coroutine and
# fails on pytest 8.4; pytest 9 stops it at setup itself.
UNHANDLED_FIXTURE = (
    {"failed": 2, "errors": 0} if pytest.version_tuple < (9,) else {"failed": 1, "errors": 1}
)


def test_no_asyncio_disables_everything(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(LOADING_SUITE.replace("EXPECT_RAN", "0"))
    result = pytester.runpytest("-p", "no:asyncio")
    result.assert_outcomes(passed=1, **UNHANDLED_FIXTURE)
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])
    output = result.stdout.str()
    # The plugins line still names the distribution: its install check, an entry point of its
    # own, stays on (tests/packaging/).
    assert "asyncio: mode=" not in output


def test_pytest_plugins_in_conftest_loads_it(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = "pytest_asyncio"')
    pytester.makepyfile(LOADING_SUITE.replace("EXPECT_RAN", "1"))
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, warnings=0)
    # Loaded once: one header line, one plugins entry.
    assert result.stdout.str().count("asyncio: mode=strict") == 1


def test_pytest_plugins_in_conftest_loads_it_without_autoload(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest('pytest_plugins = "pytest_asyncio"')
    pytester.makepyfile(LOADING_SUITE.replace("EXPECT_RAN", "1"))
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, warnings=0)
    assert "asyncio: mode=strict" in result.stdout.str()


@pytest.mark.parametrize(
    ("conftest_plugin", "loaded"),
    [
        # pytest's own rule: -p no:NAME also blocks the module name pytest_NAME, so a conftest
        # naming the package cannot bring the plugin back; -p no:asyncio disables everything.
        ("pytest_asyncio", False),
        # Naming the entry point module explicitly is not blocked and loads the plugin.
        ("pytest_asyncio.plugin", True),
    ],
)
def test_pytest_plugins_in_conftest_with_no_asyncio(
    pytester: pytest.Pytester, conftest_plugin: str, loaded: bool
) -> None:
    pytester.makeconftest(f"pytest_plugins = {conftest_plugin!r}")
    pytester.makepyfile(LOADING_SUITE.replace("EXPECT_RAN", "1" if loaded else "0"))
    result = pytester.runpytest("-p", "no:asyncio")
    if loaded:
        result.assert_outcomes(passed=3, warnings=0)
        assert "asyncio: mode=strict" in result.stdout.str()
    else:
        result.assert_outcomes(passed=1, **UNHANDLED_FIXTURE)
        result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])
        assert "asyncio: mode=" not in result.stdout.str()


# Reports, when the run ends, whether asyncio was ever imported in the pytest process.
ASYNCIO_IMPORT_PROBE = """
import sys


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"asyncio imported: {'asyncio' in sys.modules}")
"""


@pytest.mark.parametrize(
    ("tests", "args", "imported"),
    [
        pytest.param("def test_sync():\n    pass\n", (), False, id="sync tests"),
        pytest.param(
            "import pytest\n\n@pytest.mark.asyncio\nasync def test_async():\n    pass\n",
            ("--collect-only",),
            False,
            id="collect-only of async tests",
        ),
        pytest.param(
            "import pytest\n\n@pytest.mark.asyncio\nasync def test_async():\n    pass\n",
            (),
            True,
            id="async tests",
        ),
    ],
)
def test_asyncio_imported_only_when_a_loop_is_needed(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    tests: str,
    args: tuple[str, ...],
    imported: bool,
) -> None:
    # A fresh interpreter (the one running this test has imported asyncio long ago), with no
    # other plugin: anyio's, for one, imports asyncio.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest(ASYNCIO_IMPORT_PROBE)
    pytester.makepyfile(test_probe=tests)
    result = pytester.runpytest_subprocess("-p", "pytest_asyncio.plugin", *args)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines([f"asyncio imported: {imported}"])
