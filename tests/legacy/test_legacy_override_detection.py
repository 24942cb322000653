"""A parametrized ``event_loop_policy`` override parametrizes the async tests it covers, wherever
it is defined: a conftest, the test module, a base class from another module, under a name given
with ``@pytest.fixture(name=...)``, or a plugin module loaded with ``-p``. The plugin looks for
overrides only where one may be, so each place is checked here; async tests that no override
covers run once, on the default loop.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from pytest_asyncio import _messages

# Python 3.14 deprecates event loop policies: ignore that in the inner runs, but keep ours.
WARNING_FILTERS = (
    "-W",
    "ignore::DeprecationWarning",
    "-W",
    "always::pytest_asyncio.PytestAsyncioDeprecationWarning",
)

# Two policies, each making loops of its own class: a test tells which made its loop.
POLICIES = """
import asyncio

import pytest


class LoopA(asyncio.SelectorEventLoop):
    pass


class LoopB(asyncio.SelectorEventLoop):
    pass


class Policy(asyncio.DefaultEventLoopPolicy):
    def __init__(self, loop_class):
        super().__init__()
        self.loop_class = loop_class

    def new_event_loop(self):
        return self.loop_class()


LOOP_CLASSES = {"a": LoopA, "b": LoopB}
"""

# The override's decorator line: the warning names its location.
DECORATOR = '@pytest.fixture(params=["a", "b"])'
NAMED_DECORATOR = '@pytest.fixture(name="event_loop_policy", params=["a", "b"])'

OVERRIDE = f"""
{DECORATOR}
def event_loop_policy(request):
    return Policy(LOOP_CLASSES[request.param])
"""

NAMED_OVERRIDE = f"""
{NAMED_DECORATOR}
def policy_under_another_name(request):
    return Policy(LOOP_CLASSES[request.param])
"""

# Async tests that do not request the override (nor name it anywhere in this text), and a
# sync test, which the override leaves alone.
COVERED_TESTS = """
import asyncio

import pytest


def loop_name(request):
    return "Loop" + request.node.callspec.id.upper()


@pytest.mark.asyncio
async def test_function_loop(request):
    assert type(asyncio.get_running_loop()).__name__ == loop_name(request)


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop(request):
    assert type(asyncio.get_running_loop()).__name__ == loop_name(request)


def test_sync(request):
    assert not hasattr(request.node, "callspec")
"""

COVERED_IDS = [
    "test_function_loop[a]",
    "test_function_loop[b]",
    "test_module_loop[a]",
    "test_module_loop[b]",
    "test_sync",
]

# The same tests as methods of a class (``{bases}`` substituted).
COVERED_CLASS_TESTS = """
import asyncio

import pytest

{imports}


def loop_name(request):
    return "Loop" + request.node.callspec.id.upper()


class TestCovered({bases}):
    @pytest.mark.asyncio
    async def test_function_loop(self, request):
        assert type(asyncio.get_running_loop()).__name__ == loop_name(request)

    @pytest.mark.asyncio(loop_scope="class")
    async def test_class_loop(self, request):
        assert type(asyncio.get_running_loop()).__name__ == loop_name(request)

    def test_sync(self, request):
        assert not hasattr(request.node, "callspec")


@pytest.mark.asyncio
async def test_outside_the_class(request):
    assert not hasattr(request.node, "callspec")
    assert type(asyncio.get_running_loop()).__name__ not in ("LoopA", "LoopB")
"""

CLASS_IDS = [
    "TestCovered::test_function_loop[a]",
    "TestCovered::test_function_loop[b]",
    "TestCovered::test_class_loop[a]",
    "TestCovered::test_class_loop[b]",
    "TestCovered::test_sync",
    "test_outside_the_class",
]

# Async tests of a module no override covers.
OUTSIDE_TESTS = """
import asyncio

import pytest


@pytest.mark.asyncio
async def test_outside(request):
    assert not hasattr(request.node, "callspec")
    assert type(asyncio.get_running_loop()).__name__ not in ("LoopA", "LoopB")
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-v", "-p", "no:cacheprovider", *WARNING_FILTERS, *args)


def _check_passed(result: pytest.RunResult, ids: dict[str, list[str]]) -> None:
    """Every test of *ids* (by file) passed, and no other test ran."""
    result.assert_outcomes(passed=sum(len(names) for names in ids.values()), warnings=1)
    output = result.stdout.str()
    for path, names in ids.items():
        for name in names:
            assert f"{path}::{name} PASSED" in output, output


def _check_warning(result: pytest.RunResult, file: Path, decorator: str, shown: str) -> None:
    """One deprecation warning, naming the override's definition."""
    lineno = [line.strip() for line in file.read_text().splitlines()].index(decorator) + 1
    message = _messages.POLICY_FIXTURE_OVERRIDDEN.format(location=f"{shown}:{lineno}")
    output = result.stdout.str()
    assert output.count(message) == 1, output


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_override_in_a_conftest(pytester: pytest.Pytester, mode: str) -> None:
    covered = pytester.mkdir("covered")
    conftest = _write(covered / "conftest.py", POLICIES + OVERRIDE)
    _write(covered / "test_covered.py", COVERED_TESTS)
    pytester.makepyfile(test_outside=OUTSIDE_TESTS)
    result = _run(pytester)
    _check_passed(
        result,
        {"covered/test_covered.py": COVERED_IDS, "test_outside.py": ["test_outside"]},
    )
    _check_warning(result, conftest, DECORATOR, f"covered{os.sep}conftest.py")


def test_override_in_the_test_module(pytester: pytest.Pytester, mode: str) -> None:
    covered = _write(pytester.path / "test_covered.py", POLICIES + OVERRIDE + COVERED_TESTS)
    pytester.makepyfile(test_outside=OUTSIDE_TESTS)
    result = _run(pytester)
    _check_passed(result, {"test_covered.py": COVERED_IDS, "test_outside.py": ["test_outside"]})
    _check_warning(result, covered, DECORATOR, "test_covered.py")


@pytest.mark.parametrize(
    ("override", "decorator"),
    [
        pytest.param(OVERRIDE, DECORATOR, id="by-function-name"),
        pytest.param(NAMED_OVERRIDE, NAMED_DECORATOR, id="by-name-argument"),
    ],
)
def test_override_on_a_base_class_of_another_module(
    pytester: pytest.Pytester, mode: str, override: str, decorator: str
) -> None:
    """The test module never names the fixture: only its class's base class defines it."""
    method = textwrap.indent(override, "    ").replace("(request)", "(self, request)")
    base = _write(pytester.path / "policy_base.py", POLICIES + "\n\nclass Base:\n" + method)
    tests = COVERED_CLASS_TESTS.format(imports="from policy_base import Base", bases="Base")
    assert "event_loop_policy" not in tests
    pytester.makepyfile(test_inherits=tests, test_outside=OUTSIDE_TESTS)
    pytester.syspathinsert()
    result = _run(pytester)
    _check_passed(result, {"test_inherits.py": CLASS_IDS, "test_outside.py": ["test_outside"]})
    _check_warning(result, base, decorator, "policy_base.py")


def test_override_on_a_class_of_the_module(pytester: pytest.Pytester, mode: str) -> None:
    """The control of the test above: the class itself defines the override."""
    method = textwrap.indent(OVERRIDE, "    ").replace("(request)", "(self, request)")
    tests = COVERED_CLASS_TESTS.format(imports="", bases="") + "\n"
    tests = tests.replace("class TestCovered():", "class TestCovered:" + method)
    covered = _write(pytester.path / "test_inherits.py", POLICIES + tests)
    pytester.makepyfile(test_outside=OUTSIDE_TESTS)
    result = _run(pytester)
    _check_passed(result, {"test_inherits.py": CLASS_IDS, "test_outside.py": ["test_outside"]})
    _check_warning(result, covered, DECORATOR, "test_inherits.py")


@pytest.mark.parametrize("where", ["test module", "conftest"])
def test_override_under_a_name_argument(pytester: pytest.Pytester, mode: str, where: str) -> None:
    """``@pytest.fixture(name="event_loop_policy")`` on a function named otherwise."""
    covered = pytester.mkdir("covered")
    if where == "conftest":
        defined = _write(covered / "conftest.py", POLICIES + NAMED_OVERRIDE)
        _write(covered / "test_covered.py", COVERED_TESTS)
        shown = f"covered{os.sep}conftest.py"
    else:
        defined = _write(covered / "test_covered.py", POLICIES + NAMED_OVERRIDE + COVERED_TESTS)
        shown = f"covered{os.sep}test_covered.py"
    pytester.makepyfile(test_outside=OUTSIDE_TESTS)
    result = _run(pytester)
    _check_passed(
        result,
        {"covered/test_covered.py": COVERED_IDS, "test_outside.py": ["test_outside"]},
    )
    _check_warning(result, defined, NAMED_DECORATOR, shown)


# A plugin given with -p is registered before the entry points: our own event_loop_policy,
# registered after it, is the one pytest picks for every test (both are global fixtures).
_P_BEFORE_OURS = pytest.mark.xfail(
    reason="a -p plugin registers before the entry point, so our fixture shadows its override"
)


@pytest.mark.parametrize("loaded_by", [pytest.param("-p", marks=_P_BEFORE_OURS), "pytest_plugins"])
@pytest.mark.parametrize(
    ("override", "decorator"),
    [
        pytest.param(OVERRIDE, DECORATOR, id="by-function-name"),
        pytest.param(NAMED_OVERRIDE, NAMED_DECORATOR, id="by-name-argument"),
    ],
)
def test_override_in_a_plugin_module(
    pytester: pytest.Pytester, mode: str, override: str, decorator: str, loaded_by: str
) -> None:
    """A plain module given with ``-p``, or named in a conftest's ``pytest_plugins``: it covers
    every test of the run."""
    plugin = _write(pytester.path / "policy_plugin.py", POLICIES + override)
    pytester.makepyfile(test_covered=COVERED_TESTS)
    pytester.syspathinsert()
    if loaded_by == "-p":
        result = _run(pytester, "-p", "policy_plugin")
    else:
        pytester.makeconftest('pytest_plugins = ["policy_plugin"]')
        result = _run(pytester)
    _check_passed(result, {"test_covered.py": COVERED_IDS})
    _check_warning(result, plugin, decorator, "policy_plugin.py")
