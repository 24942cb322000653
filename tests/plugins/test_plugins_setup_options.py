"""SPEC "Other behaviour users rely on": ``--setup-plan``, ``--setup-show``, ``--setup-only`` and
``--fixtures`` with async fixtures of several cache scopes and loop scopes.

``--setup-plan`` runs no fixture and creates no event loop; ``--setup-only`` runs the setups
(and teardowns) but no test body; ``--setup-show`` runs everything. Each lists the fixtures.
``--fixtures`` lists the plugin's fixtures and users' async fixtures with their docstrings.
"""

from __future__ import annotations

import inspect

import pytest

from helpers import COUNTING_CONFTEST
from pytest_asyncio._plugins import fixtures

SCOPED_FIXTURES = """
import asyncio

import pytest
import pytest_asyncio

from conftest import RAN


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def session_resource():
    RAN.append("session_resource")
    yield asyncio.get_running_loop()
    RAN.append("session_resource-teardown")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def module_resource(session_resource):
    RAN.append("module_resource")
    assert asyncio.get_running_loop() is session_resource
    return "module"


@pytest_asyncio.fixture(loop_scope="module")
async def function_resource(module_resource):
    RAN.append("function_resource")
    yield "function"
    RAN.append("function_resource-teardown")


@pytest_asyncio.fixture
async def plain(unused_tcp_port):
    RAN.append("plain")
    return unused_tcp_port


@pytest.mark.asyncio
async def test_function_loop(function_resource, plain):
    RAN.append("test_function_loop")
    assert function_resource == "function"


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop(function_resource, module_resource):
    RAN.append("test_module_loop")
    assert module_resource == "module"


def test_sync(function_resource):
    RAN.append("test_sync")
    assert function_resource == "function"
"""

# What each option lists, in order (fnmatch patterns).
LISTED_FIXTURES = [
    "SETUP    S session_resource",
    "    SETUP    M module_resource (fixtures used: session_resource)",
    "        SETUP    F function_resource (fixtures used: module_resource)",
    "        SETUP    F unused_tcp_port",
    "        SETUP    F plain (fixtures used: unused_tcp_port)",
    "        test_scoped.py::test_function_loop (fixtures used: *)*",
    "        TEARDOWN F plain",
    "        TEARDOWN F unused_tcp_port",
    "        TEARDOWN F function_resource",
    "        SETUP    F function_resource (fixtures used: module_resource)",
    "        test_scoped.py::test_module_loop (fixtures used: *)*",
    "        TEARDOWN F function_resource",
    "        SETUP    F function_resource (fixtures used: module_resource)",
    "        test_scoped.py::test_sync (fixtures used: *)*",
    "        TEARDOWN F function_resource",
    "    TEARDOWN M module_resource",
    "TEARDOWN S session_resource",
]

SETUPS = [
    "session_resource",
    "module_resource",
    "function_resource",
    "plain",
    "function_resource-teardown",
    "function_resource",
]
# session, module (function_resource), function (test_function_loop); test_sync's
# function_resource runs on the same module loop.
SETUP_LOOPS = 3


@pytest.mark.parametrize(
    ("option", "outcomes", "loops", "ran"),
    [
        pytest.param("--setup-plan", {}, 0, [], id="setup-plan"),
        pytest.param(
            "--setup-only",
            {},
            SETUP_LOOPS,
            [
                *SETUPS,
                "function_resource-teardown",
                "function_resource",
                "function_resource-teardown",
                "session_resource-teardown",
            ],
            id="setup-only",
        ),
        pytest.param(
            "--setup-show",
            {"passed": 3},
            SETUP_LOOPS,
            [
                "session_resource",
                "module_resource",
                "function_resource",
                "plain",
                "test_function_loop",
                "function_resource-teardown",
                "function_resource",
                "test_module_loop",
                "function_resource-teardown",
                "function_resource",
                "test_sync",
                "function_resource-teardown",
                "session_resource-teardown",
            ],
            id="setup-show",
        ),
    ],
)
@pytest.mark.usefixtures("mode")
def test_setup_options_list_fixtures(
    pytester: pytest.Pytester,
    option: str,
    outcomes: dict[str, int],
    loops: int,
    ran: list[str],
) -> None:
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(test_scoped=SCOPED_FIXTURES)
    result = pytester.runpytest(option, "-s")
    result.assert_outcomes(**outcomes)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(LISTED_FIXTURES)
    result.stdout.fnmatch_lines([f"loops created: {loops}; ran: {' '.join(ran) or '-'}"])


def test_setup_plan_with_policy_override_creates_no_loop(pytester: pytest.Pytester) -> None:
    # An overridden event_loop_policy fixture is part of the plan, but is not called.
    pytester.makeconftest(
        COUNTING_CONFTEST
        + """
import pytest


@pytest.fixture(scope="session")
def event_loop_policy():
    RAN.append("event_loop_policy")
    return asyncio.get_event_loop_policy()
"""
    )
    pytester.makepyfile(
        """
        import pytest


        @pytest.mark.asyncio(loop_scope="module")
        async def test_one():
            assert False, "a test body ran under --setup-plan"
        """
    )
    result = pytester.runpytest("--setup-plan", "-s")
    result.assert_outcomes()
    result.stdout.fnmatch_lines(
        ["SETUP    S event_loop_policy", "*test_one*", "TEARDOWN S event_loop_policy"]
    )
    result.stdout.fnmatch_lines(["loops created: 0; ran: -"])


FIXTURE_DOCS = '''
import pytest_asyncio


@pytest_asyncio.fixture
async def documented_coroutine():
    """An async fixture's first docstring line."""
    return 1


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def documented_generator():
    """An async generator fixture's docstring."""
    yield 2


async def test_uses_them(documented_coroutine, documented_generator):
    assert (documented_coroutine, documented_generator) == (1, 2)
'''


# The plugin's fixtures, with the scope --fixtures shows (fnmatch pattern).
OUR_FIXTURES = {
    "event_loop_policy": " [[]session scope[]]",
    "unused_tcp_port": "",
    "unused_udp_port": "",
    "unused_tcp_port_factory": " [[]session scope[]]",
    "unused_udp_port_factory": " [[]session scope[]]",
}


def _first_doc_line(name: str) -> str:
    doc = inspect.getdoc(getattr(fixtures, name))
    assert doc
    return doc.splitlines()[0]


@pytest.mark.usefixtures("mode")
def test_fixtures_lists_ours_and_async_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(test_documented=FIXTURE_DOCS)
    result = pytester.runpytest("--fixtures", "-s")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines_random(
        [
            *(
                line
                for name, scope in OUR_FIXTURES.items()
                for line in (f"{name}{scope} -- *", f"    {_first_doc_line(name)}")
            ),
            "documented_coroutine -- test_documented.py:*",
            "    An async fixture's first docstring line.",
            "documented_generator [[]module scope[]] -- test_documented.py:*",
            "    An async generator fixture's docstring.",
        ]
    )
    # Listing fixtures runs none of them and needs no loop.
    result.stdout.fnmatch_lines(["loops created: 0; ran: -"])


def test_fixtures_per_test_lists_async_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(test_documented=FIXTURE_DOCS.replace("async def test_", "def test_"))
    result = pytester.runpytest("--fixtures-per-test", "-s")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            "*fixtures used by test_uses_them*",
            "*(test_documented.py:*)*",
            "documented_coroutine -- test_documented.py:*",
            "    An async fixture's first docstring line.",
            "documented_generator -- test_documented.py:*",
            "    An async generator fixture's docstring.",
        ]
    )
    result.stdout.fnmatch_lines(["loops created: 0; ran: -"])
