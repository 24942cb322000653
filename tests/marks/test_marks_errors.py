"""Marker arguments that cannot be used: each fails its own test, never the module.

SPEC "The marker": positional arguments, unknown keywords, a bad scope value and bad
``loop_factories`` are an error for that test only (reported at setup), naming the test and
the argument, never a bare traceback; the other tests of the module still run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pytest_asyncio
from pytest_asyncio import _messages

SCOPES = "function, class, module, package, session"

BAD_MARKS = """
import asyncio

import pytest

RAN = []


@pytest.mark.asyncio("module", 1)
async def test_positional():
    RAN.append("test_positional")


@pytest.mark.asyncio(loop_scop="module", deadline=3)
async def test_unknown_keywords():
    RAN.append("test_unknown_keywords")


@pytest.mark.asyncio(loop_scope="modul")
async def test_bad_loop_scope():
    RAN.append("test_bad_loop_scope")


@pytest.mark.asyncio(scope="sesion")
async def test_bad_scope():
    RAN.append("test_bad_scope")


@pytest.mark.asyncio(loop_scope="galaxy")
async def test_scope_far_from_any():
    RAN.append("test_scope_far_from_any")


@pytest.mark.asyncio(loop_factories="alpha")
async def test_factories_string():
    RAN.append("test_factories_string")


@pytest.mark.asyncio(loop_factories=[])
async def test_factories_empty():
    RAN.append("test_factories_empty")


@pytest.mark.asyncio(loop_factories=["alpha", 1])
async def test_factories_not_strings():
    RAN.append("test_factories_not_strings")


@pytest.mark.asyncio
async def test_good():
    assert asyncio.get_running_loop().is_running()


def test_no_bad_test_ran():
    assert RAN == []
"""

HOOK = """
import asyncio


def pytest_asyncio_loop_factories(config, item):
    return {"alpha": asyncio.new_event_loop, "beta": asyncio.new_event_loop}
"""


def expected_errors() -> dict[str, str]:
    """Test name -> the message its setup error must show."""

    def nodeid(name: str) -> str:
        return f"test_bad.py::{name}"

    bad_factories = {
        "test_factories_string": "alpha",
        "test_factories_empty": [],
        "test_factories_not_strings": ["alpha", 1],
    }
    return {
        "test_positional": _messages.MARK_POSITIONAL.format(
            nodeid=nodeid("test_positional"), args="'module', 1"
        ),
        # A misspelt keyword or scope is followed by the close match.
        "test_unknown_keywords": _messages.MARK_UNKNOWN_KEYWORDS.format(
            nodeid=nodeid("test_unknown_keywords"), names="deadline, loop_scop"
        )
        + " "
        + _messages.DID_YOU_MEAN_KEYWORD.format(suggestion="loop_scope", name="loop_scop"),
        "test_bad_loop_scope": _messages.MARK_BAD_SCOPE.format(
            nodeid=nodeid("test_bad_loop_scope"),
            keyword="loop_scope",
            value="modul",
            choices=SCOPES,
        )
        + " "
        + _messages.DID_YOU_MEAN.format(suggestion="module"),
        "test_bad_scope": _messages.MARK_BAD_SCOPE.format(
            nodeid=nodeid("test_bad_scope"), keyword="scope", value="sesion", choices=SCOPES
        )
        + " "
        + _messages.DID_YOU_MEAN.format(suggestion="session"),
        "test_scope_far_from_any": _messages.MARK_BAD_SCOPE.format(
            nodeid=nodeid("test_scope_far_from_any"),
            keyword="loop_scope",
            value="galaxy",
            choices=SCOPES,
        ),
        **{
            name: _messages.MARK_BAD_FACTORIES.format(nodeid=nodeid(name), value=value)
            for name, value in bad_factories.items()
        },
    }


@pytest.mark.parametrize("hook", [False, True], ids=["no-hook", "with-hook"])
def test_bad_mark_fails_only_its_test(pytester: pytest.Pytester, mode: str, hook: bool) -> None:
    if hook:
        pytester.makeconftest(HOOK)
    pytester.makepyfile(test_bad=BAD_MARKS)
    result = pytester.runpytest()
    errors = expected_errors()
    # With two loop factories the good async test runs once per factory.
    result.assert_outcomes(passed=3 if hook else 2, errors=len(errors))
    output = result.stdout.str()
    for name, message in errors.items():
        assert f"ERROR at setup of {name} " in output
        assert message in result.outlines  # the whole line: no suggestion, or the right one
    # The message is the whole report: no traceback, and no frame of the plugin.
    assert "Traceback" not in output
    assert str(Path(pytest_asyncio.__file__).parent) not in output


def test_misspelt_keyword_and_scope_messages(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_typos="""
        import pytest


        @pytest.mark.asyncio(loop_scop="module")
        async def test_keyword():
            pass


        @pytest.mark.asyncio(loop_scope="sesion")
        async def test_scope():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    assert (
        "test_typos.py::test_keyword: @pytest.mark.asyncio got unknown keyword arguments "
        "loop_scop; it accepts only loop_scope=<scope>, loop_factories=[<name>, ...], "
        "timeout=<seconds> and checks=<names>. "
        "Did you mean loop_scope= instead of loop_scop=?"
    ) in result.outlines
    assert (
        "test_typos.py::test_scope: @pytest.mark.asyncio(loop_scope='sesion') is not a loop "
        "scope; use one of: function, class, module, package, session. Did you mean 'session'?"
    ) in result.outlines
