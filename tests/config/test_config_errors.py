"""SPEC "Configuration": an invalid value is a usage error naming the key, the value, where it
came from and the valid choices; never a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

SCOPES = "function, class, module, package, session"


@pytest.mark.parametrize(
    ("key", "value", "choices", "suggestion"),
    [
        ("asyncio_mode", "sometimes", "strict, auto", None),
        ("asyncio_mode", "atuo", "strict, auto", "auto"),
        ("asyncio_debug", "maybe", "true, false", None),
        ("asyncio_default_fixture_loop_scope", "forever", f"{SCOPES}, fixture-scope", None),
        (
            "asyncio_default_fixture_loop_scope",
            "fixture_scope",
            f"{SCOPES}, fixture-scope",
            "fixture-scope",
        ),
        ("asyncio_default_test_loop_scope", "fixture-scope", SCOPES, None),
        ("asyncio_default_test_loop_scope", "Function", SCOPES, "function"),
        ("asyncio_default_test_loop_scope", "sesion", SCOPES, "session"),
    ],
)
def test_invalid_ini_value_is_usage_error(
    pytester: pytest.Pytester,
    ini: IniWriter,
    key: str,
    value: str,
    choices: str,
    suggestion: str | None,
) -> None:
    ini(**{key: value})
    origin = _messages.ORIGIN_INI.format(
        path=pytester.path / "tox.ini"
    )  # where pytester.makeini writes
    expected = _messages.INVALID_OPTION.format(key=key, value=value, origin=origin, choices=choices)
    if suggestion is not None:
        expected += " " + _messages.DID_YOU_MEAN.format(suggestion=suggestion)
    _assert_usage_error(pytester.runpytest(), expected)


def test_misspelt_cli_value_message(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--asyncio-mode=Auto")
    _assert_usage_error(
        result,
        "pytest-asyncio-ng: asyncio_mode = 'Auto' (from the command line option --asyncio-mode) "
        "is not valid; use one of: strict, auto. Did you mean 'auto'?",
    )


@pytest.mark.skipif(pytest.version_tuple < (9,), reason="pytest.toml needs pytest >= 9")
def test_invalid_native_toml_debug_is_usage_error(pytester: pytest.Pytester) -> None:
    config_file = pytester.path / "pytest.toml"
    config_file.write_text('[pytest]\nasyncio_debug = "maybe"\n', encoding="utf-8")
    origin = _messages.ORIGIN_INI.format(path=config_file)
    expected = _messages.INVALID_OPTION.format(
        key="asyncio_debug", value="maybe", origin=origin, choices="true, false"
    )
    _assert_usage_error(pytester.runpytest(), expected)


def test_invalid_cli_mode_is_usage_error(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="auto")
    origin = _messages.ORIGIN_CLI.format(flag="--asyncio-mode")
    expected = _messages.INVALID_OPTION.format(
        key="asyncio_mode", value="fast", origin=origin, choices="strict, auto"
    )
    _assert_usage_error(pytester.runpytest("--asyncio-mode=fast"), expected)


@pytest.mark.parametrize("with_ini_file", [False, True])
def test_invalid_override_names_the_option(
    pytester: pytest.Pytester, ini: IniWriter, with_ini_file: bool
) -> None:
    if with_ini_file:
        ini(asyncio_mode="strict")
    expected = _messages.INVALID_OPTION.format(
        key="asyncio_mode",
        value="sometimes",
        origin=_messages.ORIGIN_OVERRIDE.format(key="asyncio_mode"),
        choices="strict, auto",
    )
    _assert_usage_error(pytester.runpytest("-o", "asyncio_mode=sometimes"), expected)


def _assert_usage_error(result: pytest.RunResult, expected: str) -> None:
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + "\n" + result.stderr.str()
    # The whole line: no suggestion, or the right one.
    assert f"ERROR: {expected}" in result.stderr.lines
    assert "Traceback" not in output
    assert "INTERNALERROR" not in output
