"""The "event loops" section is part of the failure report itself (issue 9, item 9): it reaches
junitxml's failure text and the controller of pytest-xdist, for both traps it explains."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from pytest_asyncio import _diagnosis, _messages

IniWriter = Callable[..., None]

pytestmark = pytest.mark.timeout(120)

SOURCES = {
    "different-loop": """
        import asyncio

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture(loop_scope="module")
        async def shared():
            return asyncio.get_running_loop().create_future()


        @pytest.mark.asyncio
        async def test_fails(shared):
            asyncio.get_running_loop().call_soon(shared.set_result, "ready")
            assert await shared == "ready"


        @pytest.mark.asyncio
        async def test_passes(shared):
            assert not shared.done()
        """,
    "idle-server": """
        import asyncio

        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture(scope="session", loop_scope="session")
        async def server():
            server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
            async with server:
                yield server.sockets[0].getsockname()[:2]


        @pytest.mark.asyncio
        async def test_fails(server):
            reader, writer = await asyncio.open_connection(*server)
            writer.write(b"ping\\n")
            await asyncio.wait_for(reader.readline(), 0.5)


        @pytest.mark.asyncio
        async def test_passes(server):
            assert server[0] == "127.0.0.1"
        """,
}

HEADERS = {
    "different-loop": _messages.DIFFERENT_LOOP_HEADER,
    "idle-server": _messages.IDLE_LOOP_HEADER.format(loop_scope="function"),
}


@pytest.mark.parametrize("trap", list(SOURCES))
def test_junitxml_failure_carries_the_section(
    pytester: pytest.Pytester, ini: IniWriter, trap: str
) -> None:
    ini()
    pytester.makepyfile(test_trap=SOURCES[trap])
    result = pytester.runpytest("--junitxml=report.xml")
    result.assert_outcomes(passed=1, failed=1)
    cases = {
        case.get("name"): case for case in ET.parse(pytester.path / "report.xml").iter("testcase")
    }
    failure = cases["test_fails"].find("failure")
    assert failure is not None
    assert _diagnosis.SECTION in (failure.text or "")
    assert HEADERS[trap] in (failure.text or "")
    assert cases["test_passes"].find("failure") is None
    assert _diagnosis.SECTION not in ET.tostring(cases["test_passes"], encoding="unicode")


@pytest.mark.parametrize("trap", list(SOURCES))
@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_xdist_shows_the_section(pytester: pytest.Pytester, ini: IniWriter, trap: str) -> None:
    ini()
    pytester.makepyfile(test_trap=SOURCES[trap])
    result = pytester.runpytest("-n", "2")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"*- {_diagnosis.SECTION} -*", HEADERS[trap]])
    assert result.stdout.str().count(_diagnosis.SECTION) == 1


HEAD = "import pytest\nimport pytest_asyncio\n\n"
FIXTURE = "@pytest_asyncio.fixture\nasync def value():\n    yield {value}\n\n"
TEST = "@pytest.mark.asyncio\nasync def test_async({argument}):\n    assert {check}\n"


@pytest.mark.parametrize(
    ("test", "registered"),
    [
        ("def test_sync():\n    assert False\n", False),
        (HEAD + FIXTURE.format(value=1) + TEST.format(argument="value", check="value"), False),
        (HEAD + TEST.format(argument="", check="False"), True),
        (HEAD + FIXTURE.format(value="1 / 0") + TEST.format(argument="value", check="value"), True),
    ],
    ids=["sync-only", "async-passing", "async-failing", "fixture-failing"],
)
def test_the_report_hook_costs_passing_runs_nothing(
    pytester: pytest.Pytester, ini: IniWriter, test: str, registered: bool
) -> None:
    """The report hook is registered when the first job on our loops fails; a run of sync
    tests (failing ones included) or of passing async tests and fixtures never calls it."""
    ini()
    pytester.makeconftest(
        """
        def pytest_unconfigure(config):
            found = config.pluginmanager.has_plugin("pytest-asyncio-ng-reports")
            print(f"report hook registered: {found}")
        """
    )
    pytester.makepyfile(test_run=test)
    result = pytester.runpytest("-s")
    result.stdout.fnmatch_lines([f"report hook registered: {registered}"])
