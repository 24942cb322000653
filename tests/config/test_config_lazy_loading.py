"""What the plugin loads: a run of sync tests imports none of the modules that run loops or
serve a feature, and registers only the entry point's four plugin modules; the package's public
names are imported on first use; ``-p no:`` blocks one plugin module; a package named in a
conftest's ``pytest_plugins`` as well as loaded by the entry point registers each module once.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

import pytest_asyncio
from pytest_asyncio import plugin

# Inner runs in a subprocess start a fresh interpreter: they must not hang the outer run.
TIMEOUT = 120

# The modules a run of sync tests must not import: those that run loops, and the glue of
# every feature that such a run does not use.
NOT_LOADED = (
    "asyncio",
    "pytest_asyncio._collect",
    "pytest_asyncio._loops",
    "pytest_asyncio._runner",
    "pytest_asyncio._messages",
    "pytest_asyncio._overrides",
    "pytest_asyncio._marks",
    "pytest_asyncio._nodes",
    "pytest_asyncio._decorator",
    "pytest_asyncio._compat",
    "pytest_asyncio._warnings",
    "pytest_asyncio._interrupt",
    "pytest_asyncio._watchdog",
    "pytest_asyncio._plugins.checks",
    "pytest_asyncio._plugins.clock",
    "pytest_asyncio._plugins.legacy",
    "pytest_asyncio._plugins.interrupt",
    "pytest_asyncio._plugins.debuggers",
    "pytest_asyncio._plugins.foreign",
    "pytest_asyncio._plugins.looptime",
    # The features' settings: read only when one of their values is set.
    "pytest_asyncio._timeouts",
    "pytest_asyncio._checks",
    "pytest_asyncio._clock",
)

# Prints, when the run ends, the modules of interest found in sys.modules, and the modules of
# the plugins registered under our package (a module plugin's own name, else its class's).
MODULES_PROBE = """
import sys
import types


def _module_of(plugin):
    if isinstance(plugin, types.ModuleType):
        return plugin.__name__
    return type(plugin).__module__


def pytest_unconfigure(config):
    names = sorted(
        name for name in sys.modules if name == "asyncio" or name.startswith("pytest_asyncio")
    )
    print("LOADED", names)
    registered = sorted(
        (name, _module_of(plugin))
        for name, plugin in config.pluginmanager.list_name_plugin()
        if plugin is not None and _module_of(plugin).startswith("pytest_asyncio")
    )
    print("REGISTERED", registered)
"""

# Sync test suites, each with three passing tests: module functions with a function-scoped
# fixture; a test class; a session-scoped fixture.
SYNC_FUNCTIONS = """
import pytest


@pytest.fixture
def value():
    return 42


def test_plain():
    assert True


def test_with_fixture(value):
    assert value == 42


@pytest.mark.parametrize("number", [1])
def test_parametrized(number):
    assert number == 1
"""

SYNC_CLASS = """
import pytest


@pytest.fixture
def value():
    return 42


class TestGroup:
    def test_plain(self):
        assert True

    def test_with_fixture(self, value):
        assert value == 42

    def test_other(self, value):
        assert value == 42
"""

SYNC_SESSION_FIXTURE = """
import pytest


@pytest.fixture(scope="session")
def value():
    return 42


def test_plain():
    assert True


def test_with_fixture(value):
    assert value == 42


def test_again(value):
    assert value == 42
"""

SYNC_SUITES = [
    pytest.param(SYNC_FUNCTIONS, id="functions"),
    pytest.param(SYNC_CLASS, id="class"),
    pytest.param(SYNC_SESSION_FIXTURE, id="session-fixture"),
]


def _not_loaded(suite: str) -> set[str]:
    """A fixture wider than a function reads which test it is set up for (a pytest internal,
    through _compat) to know the test is sync: that module, and no other."""
    if suite == SYNC_SESSION_FIXTURE:
        return set(NOT_LOADED) - {"pytest_asyncio._compat"}
    return set(NOT_LOADED)


def _probe(result: pytest.RunResult, tag: str) -> object:
    lines = [line for line in result.outlines if line.startswith(f"{tag} ")]
    assert len(lines) == 1, result.outlines
    return ast.literal_eval(lines[0][len(tag) + 1 :])


def _loaded(result: pytest.RunResult) -> set[str]:
    names = _probe(result, "LOADED")
    assert isinstance(names, list)
    return set(names)


def _run_sync_suite(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """-q: without the report header, whose text is checked by the tests of the header."""
    result = pytester.runpytest_subprocess(
        "-s", "-q", "-p", "no:cacheprovider", *args, timeout=TIMEOUT
    )
    result.assert_outcomes(passed=3)
    return result


@pytest.mark.parametrize("suite", SYNC_SUITES)
def test_sync_run_without_other_plugins_loads_nothing_more(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str, suite: str
) -> None:
    """Only our plugin, in a fresh interpreter: none of the modules above, and exactly the
    four plugin modules registered beside the entry point module."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest(MODULES_PROBE)
    pytester.makepyfile(test_sync=suite)
    result = _run_sync_suite(pytester, "-p", "pytest_asyncio.plugin")
    loaded = _loaded(result)
    assert "pytest_asyncio._plugins.config" in loaded  # the probe sees our modules
    assert loaded.isdisjoint(_not_loaded(suite)), sorted(loaded & _not_loaded(suite))
    registered = _probe(result, "REGISTERED")
    assert registered == sorted(
        [("pytest_asyncio.plugin", "pytest_asyncio.plugin")]
        + [(name, name) for name in plugin.PLUGINS]
    )


@pytest.mark.parametrize("suite", SYNC_SUITES)
def test_sync_run_with_the_installed_plugins_adds_nothing_more(
    pytester: pytest.Pytester, mode: str, suite: str
) -> None:
    """The plugins installed beside ours (entry points) may import asyncio themselves: what our
    plugin adds to a run of sync tests is compared with a run that blocks it. pytest-xdist and
    pytest-timeout are blocked in both: with them installed, our glue for each is registered in
    every run; so is our install check, which -p no:asyncio leaves on (tests/packaging/)."""
    pytester.makeconftest(MODULES_PROBE)
    pytester.makepyfile(test_sync=suite)
    blocked = ("-p", "no:xdist", "-p", "no:timeout", "-p", "no:_asyncio_ng_guard")
    without = _loaded(_run_sync_suite(pytester, *blocked, "-p", "no:asyncio"))
    assert not any(name.startswith("pytest_asyncio") for name in without)
    result = _run_sync_suite(pytester, *blocked)
    added = _loaded(result) - without
    assert "pytest_asyncio._plugins.config" in added
    assert added.isdisjoint(_not_loaded(suite)), sorted(added & _not_loaded(suite))
    registered = _probe(result, "REGISTERED")
    assert isinstance(registered, list)
    assert sorted(name for name, _ in registered if name.startswith("pytest_asyncio")) == sorted(
        plugin.PLUGINS
    )
    assert sorted(module for _, module in registered) == sorted(
        ["pytest_asyncio.plugin", *plugin.PLUGINS]
    )


def test_report_header_loads_no_messages(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """At the default verbosity the report header is shown: it loads nothing more either."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest(MODULES_PROBE)
    pytester.makepyfile(test_sync=SYNC_FUNCTIONS)
    result = pytester.runpytest_subprocess(
        "-s", "-p", "no:cacheprovider", "-p", "pytest_asyncio.plugin", timeout=TIMEOUT
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"asyncio: mode={mode}, *"])
    loaded = _loaded(result)
    assert loaded.isdisjoint(NOT_LOADED), sorted(loaded & set(NOT_LOADED))


@pytest.mark.parametrize(
    ("option", "module", "header"),
    [
        ("--asyncio-timeout=5", "_timeouts", ", asyncio_timeout=5"),
        ("--asyncio-checks=task-leaks", "_checks", ", asyncio_checks=task-leaks"),
        ("--asyncio-clock=virtual", "_clock", ", asyncio_clock=virtual"),
    ],
)
def test_a_feature_set_loads_its_settings(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    module: str,
    header: str,
) -> None:
    """A feature's module is read at configure time when one of its values is set, and the
    report header shows the value."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest(MODULES_PROBE)
    pytester.makepyfile(test_sync=SYNC_FUNCTIONS)
    result = pytester.runpytest_subprocess(
        "-s", "-p", "no:cacheprovider", "-p", "pytest_asyncio.plugin", option, timeout=TIMEOUT
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"asyncio: mode=*{header}"])
    assert f"pytest_asyncio.{module}" in _loaded(result)


@pytest.mark.parametrize(
    "name",
    [
        "__version__",
        "fixture",
        "getfixturevalue",
        "PytestAsyncioWarning",
        "PytestAsyncioDeprecationWarning",
        "is_async_test",
    ],
)
def test_public_names_are_reachable(name: str) -> None:
    value = getattr(pytest_asyncio, name)
    assert value is getattr(pytest_asyncio, name)
    assert name in pytest_asyncio.__all__
    assert name in dir(pytest_asyncio) or name in vars(pytest_asyncio)


def test_public_names_have_their_types() -> None:
    assert isinstance(pytest_asyncio.__version__, str)
    assert pytest_asyncio.__version__
    assert callable(pytest_asyncio.fixture)
    assert callable(pytest_asyncio.getfixturevalue)
    assert issubclass(pytest_asyncio.PytestAsyncioWarning, Warning)
    assert issubclass(pytest_asyncio.PytestAsyncioDeprecationWarning, DeprecationWarning)


# A fresh interpreter: the one running the tests has imported every module long ago.
LAZY_NAMES_SCRIPT = """
import sys

import pytest_asyncio

assert "pytest_asyncio._decorator" not in sys.modules, "imported with the package"
assert "pytest_asyncio._warnings" not in sys.modules, "imported with the package"
namespace = {}
exec("from pytest_asyncio import *", namespace)
print(sorted(name for name in namespace if name != "__builtins__"))
print(sorted(pytest_asyncio.__all__))
try:
    pytest_asyncio.no_such_name
except AttributeError as error:
    print(error)
"""


def test_star_import_and_unknown_name() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", LAZY_NAMES_SCRIPT],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    star, everything, error = completed.stdout.splitlines()
    assert ast.literal_eval(star) == ast.literal_eval(everything)
    assert ast.literal_eval(star) == sorted(pytest_asyncio.__all__)
    assert "no_such_name" in error
    assert "pytest_asyncio" in error


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        pytest_asyncio.no_such_name  # noqa: B018
    assert not hasattr(pytest_asyncio, "no_such_name")


# An async test and a sync test checking whether the async test ran (no plugin runs it when
# our running module is blocked).
ASYNC_TESTS = """
import asyncio

import pytest

RAN = []


@pytest.mark.asyncio
async def test_async():
    RAN.append(asyncio.get_running_loop())


def test_zz_ran():
    assert len(RAN) == EXPECTED
"""


def test_no_running_module_blocks_it_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ASYNC_TESTS.replace("EXPECTED", "0"))
    pytester.makeconftest(MODULES_PROBE)
    result = pytester.runpytest_subprocess(
        "-s", "-p", "no:pytest_asyncio._plugins.running", timeout=TIMEOUT
    )
    # pytest's own handling of an async test nobody runs: it fails.
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])
    registered = _probe(result, "REGISTERED")
    assert isinstance(registered, list)
    names = {name for name, _ in registered}
    assert "pytest_asyncio._plugins.running" not in names
    others = set(plugin.PLUGINS) - {"pytest_asyncio._plugins.running"}
    assert others <= names
    # The other modules still work: the header and the marker are there.
    result.stdout.fnmatch_lines(["asyncio: mode=strict*"])
    assert "PytestUnknownMarkWarning" not in result.stdout.str()


def test_without_the_block_the_same_suite_runs(pytester: pytest.Pytester) -> None:
    """The control of the test above."""
    pytester.makepyfile(ASYNC_TESTS.replace("EXPECTED", "1"))
    result = pytester.runpytest_subprocess(timeout=TIMEOUT)
    result.assert_outcomes(passed=2)


def test_package_in_pytest_plugins_and_entry_point_registers_each_module_once(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest('pytest_plugins = ["pytest_asyncio"]\n' + MODULES_PROBE)
    pytester.makepyfile(ASYNC_TESTS.replace("EXPECTED", "1"))
    result = pytester.runpytest_subprocess("-s", timeout=TIMEOUT)
    result.assert_outcomes(passed=2)
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "ValueError" not in output
    assert output.count("asyncio: mode=strict") == 1
    registered = _probe(result, "REGISTERED")
    assert isinstance(registered, list)
    names = [name for name, _ in registered]
    for name in plugin.PLUGINS:
        assert names.count(name) == 1, names
    assert names.count("asyncio-ng-tests") == 1, names  # the per-test hooks of running
    modules = [module for name, module in registered if name != "asyncio-ng-tests"]
    for name in plugin.PLUGINS:
        assert modules.count(name) == 1, modules


def test_package_in_pytest_plugins_without_autoload_registers_the_modules(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest('pytest_plugins = ["pytest_asyncio"]\n' + MODULES_PROBE)
    pytester.makepyfile(ASYNC_TESTS.replace("EXPECTED", "1"))
    result = pytester.runpytest_subprocess("-s", timeout=TIMEOUT)
    result.assert_outcomes(passed=2)
    registered = _probe(result, "REGISTERED")
    assert isinstance(registered, list)
    assert sorted(name for name, _ in registered if name in plugin.PLUGINS) == sorted(
        plugin.PLUGINS
    )
    assert "asyncio: mode=strict" in result.stdout.str()
