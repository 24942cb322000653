"""pytest_asyncio.fixture keeps the type of the function it decorates, for type checkers."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

SNIPPET = """
from collections.abc import AsyncIterator

import pytest_asyncio


@pytest_asyncio.fixture
async def bare() -> int:
    return 1


@pytest_asyncio.fixture(scope="module", loop_scope="module", name="renamed")
async def called() -> AsyncIterator[str]:
    yield "value"


reveal_type(bare)
reveal_type(called)
"""


@pytest.mark.python_independent
def test_decorated_fixtures_keep_their_type(tmp_path: Path) -> None:
    source = tmp_path / "snippet.py"
    source.write_text(SNIPPET)
    cache = tmp_path / "cache"
    stdout, stderr, status = mypy_api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(cache), str(source)]
    )
    revealed = [
        line.split("Revealed type is ", 1)[1]
        for line in stdout.splitlines()
        if "Revealed type is" in line
    ]
    assert revealed == [
        '"def () -> typing.Coroutine[Any, Any, int]"',
        '"def () -> typing.AsyncIterator[str]"',
    ], stdout + stderr
    assert status == 0, stdout + stderr  # no type error in the snippet either
