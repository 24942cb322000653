"""SPEC "Configuration": every ini key is read from each kind of configuration file, and the
command line wins over the ini file."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from pytest_asyncio import _settings

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

# Non-default values for all four keys, so the header and the behaviour prove each was read.
VALUES = {
    "asyncio_mode": "auto",
    "asyncio_debug": "true",
    "asyncio_default_fixture_loop_scope": "module",
    "asyncio_default_test_loop_scope": "class",
}

# Runs unmarked (auto mode), on a debug loop; two tests of a class share the class loop, and a
# function-cached async fixture runs on the module loop (the default fixture loop scope).
SCOPES_SUITE = textwrap.dedent(
    """
    import asyncio

    import pytest

    SEEN = {}


    @pytest.fixture
    async def fixture_loop():
        return asyncio.get_running_loop()


    class TestSettings:
        async def test_one(self, fixture_loop):
            loop = asyncio.get_running_loop()
            assert loop.get_debug()
            assert fixture_loop is not loop
            SEEN["one"] = (loop, fixture_loop)

        async def test_two(self, fixture_loop):
            loop = asyncio.get_running_loop()
            assert loop.get_debug()
            first_loop, first_fixture_loop = SEEN["one"]
            assert loop is first_loop
            assert fixture_loop is first_fixture_loop
            assert fixture_loop is not loop
    """
)


def _config_file(kind: str) -> tuple[str, str]:
    """(file name, content) of a configuration file of *kind* setting VALUES."""
    if kind in ("pytest.ini", "tox.ini", "setup.cfg"):
        section = "[tool:pytest]" if kind == "setup.cfg" else "[pytest]"
        lines = [section, *(f"{key} = {value}" for key, value in VALUES.items())]
        return kind, "\n".join(lines) + "\n"
    if kind == "pyproject.toml":
        lines = ["[tool.pytest.ini_options]", *(f'{k} = "{v}"' for k, v in VALUES.items())]
        return kind, "\n".join(lines) + "\n"
    # pytest >= 9 native TOML: values keep their TOML types.
    table = "[tool.pytest]" if kind == "pyproject.toml (native)" else "[pytest]"
    name = "pyproject.toml" if kind == "pyproject.toml (native)" else kind
    lines = [
        table,
        *(f"{k} = {v}" if v == "true" else f'{k} = "{v}"' for k, v in VALUES.items()),
    ]
    return name, "\n".join(lines) + "\n"


NATIVE_TOML = pytest.mark.skipif(
    pytest.version_tuple < (9,), reason="native TOML configuration needs pytest >= 9"
)


@pytest.mark.parametrize(
    "kind",
    [
        "pytest.ini",
        "tox.ini",
        "setup.cfg",
        "pyproject.toml",
        pytest.param("pytest.toml", marks=NATIVE_TOML),
        pytest.param("pyproject.toml (native)", marks=NATIVE_TOML),
    ],
)
def test_every_key_is_read_from_config_file(pytester: pytest.Pytester, kind: str) -> None:
    name, content = _config_file(kind)
    (pytester.path / name).write_text(content, encoding="utf-8")
    pytester.makepyfile(SCOPES_SUITE)
    result = pytester.runpytest()
    header = _settings.HEADER.format(
        mode="auto", debug=True, fixture_loop_scope="module", test_loop_scope="class"
    )
    assert any(line == header or line.startswith(header + ", ") for line in result.outlines)
    result.assert_outcomes(passed=2)


UNMARKED_SUITE = textwrap.dedent(
    """
    import asyncio


    async def test_unmarked():
        assert asyncio.get_running_loop().is_running()
    """
)


@pytest.mark.parametrize(
    ("ini_mode", "cli_mode", "passed", "failed"),
    [("strict", "auto", 1, 0), ("auto", "strict", 0, 1)],
)
def test_cli_mode_wins_over_ini(
    pytester: pytest.Pytester,
    ini: IniWriter,
    ini_mode: str,
    cli_mode: str,
    passed: int,
    failed: int,
) -> None:
    ini(asyncio_mode=ini_mode)
    pytester.makepyfile(UNMARKED_SUITE)
    result = pytester.runpytest(f"--asyncio-mode={cli_mode}")
    result.assert_outcomes(passed=passed, failed=failed)
    assert any(line.startswith(f"asyncio: mode={cli_mode},") for line in result.outlines)
