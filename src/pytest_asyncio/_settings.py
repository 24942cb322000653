"""Configuration: ini keys and command line flags, parsed once into frozen :class:`Settings`.

Every configuration error is raised here, as a :class:`pytest.UsageError` that names the key,
the value, where it came from and the valid choices.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Final, Literal

import pytest

from ._scopes import SCOPES, LoopScope, as_scope

Mode = Literal["strict", "auto", "legacy"]
#: The modes to choose from (legacy is accepted too, with a deprecation warning).
MODES: Final[tuple[Mode, ...]] = ("strict", "auto")
LEGACY: Final = "legacy"
FIXTURE_SCOPE: Final = "fixture-scope"

SETTINGS_KEY: Final = pytest.StashKey["Settings"]()
#: What an unset ini key reads as, depending on the pytest version.
_UNSET: Final[tuple[object, ...]] = (None, "", [])

# The other features' keys and flags are declared here with the rest: their own modules
# (``_timeouts``, ``_checks``, ``_clock``) are imported at configure time only when one of
# their values is set, or when a test uses them.
TIMEOUT_KEY: Final = "asyncio_timeout"
TIMEOUT_FLAG: Final = "--asyncio-timeout"
CHECKS_KEY: Final = "asyncio_checks"
CHECKS_FLAG: Final = "--asyncio-checks"
#: Every check, in the order reports list them.
CHECK_NAMES: Final = ("task-exceptions", "task-leaks", "unawaited", "blocking")
#: What a list of checks may hold, as a message lists it.
CHECK_CHOICES: Final = (*CHECK_NAMES, "all", "none")
THRESHOLD_KEY: Final = "asyncio_blocking_threshold"
THRESHOLD_FLAG: Final = "--asyncio-blocking-threshold"
#: Seconds a callback or task step may hold the loop before the blocking check fails it.
DEFAULT_THRESHOLD: Final = 0.1
CLOCK_KEY: Final = "asyncio_clock"
CLOCK_FLAG: Final = "--asyncio-clock"


class Settings:
    """The session's settings, read once at configure time; not changed afterwards.

    A plain class: a dataclass would cost every run (this module is loaded by all) the making
    of its methods at import."""

    __slots__ = (
        "auto",
        "auto_fixtures",
        "debug",
        "default_fixture_loop_scope",
        "default_test_loop_scope",
        "fixture_loop_scope_setting",
        "mode",
    )

    def __init__(
        self,
        mode: Mode = "strict",
        debug: bool = False,
        default_fixture_loop_scope: LoopScope | None = None,
        fixture_loop_scope_setting: str | None = None,
        default_test_loop_scope: LoopScope = "function",
    ) -> None:
        self.mode: Mode = mode
        self.debug = debug
        #: None: an async fixture's loop scope defaults to its cache scope.
        self.default_fixture_loop_scope = default_fixture_loop_scope
        #: The raw ini value, for the report header.
        self.fixture_loop_scope_setting = fixture_loop_scope_setting
        self.default_test_loop_scope: LoopScope = default_test_loop_scope
        #: ``mode == "auto"``: every async test is ours. Read for every async test: an
        #: attribute, not a property.
        self.auto = mode == "auto"
        #: Every async fixture is ours, declared with @pytest.fixture or not: auto and legacy.
        self.auto_fixtures = mode != "strict"

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in sorted(self.__slots__))
        return f"Settings({fields})"


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("asyncio", "pytest-asyncio-ng")
    group.addoption(
        "--asyncio-mode",
        dest="asyncio_mode",
        default=None,
        metavar="MODE",
        help="'strict' (default): run only tests marked asyncio and fixtures made with "
        "pytest_asyncio.fixture; 'auto': run every async test and fixture.",
    )
    group.addoption(
        "--asyncio-debug",
        dest="asyncio_debug",
        action="store_true",
        default=None,
        help="Run every event loop in asyncio debug mode.",
    )
    parser.addini("asyncio_mode", "Default value for --asyncio-mode.", default="strict")
    parser.addini(
        "asyncio_debug",
        "Run every event loop in asyncio debug mode (default: PYTHONASYNCIODEBUG).",
        type="bool",
        default=None,
    )
    parser.addini(
        "asyncio_default_fixture_loop_scope",
        "Loop scope of async fixtures that set none: a scope, or 'fixture-scope' for their "
        "cache scope (the default).",
        default=None,
    )
    parser.addini(
        "asyncio_default_test_loop_scope",
        "Loop scope of async tests whose mark sets none (default: function).",
        default="function",
    )


def add_feature_options(parser: pytest.Parser) -> None:
    """The options of timeouts, checks and virtual time."""
    group = parser.getgroup("asyncio")
    group.addoption(
        TIMEOUT_FLAG,
        dest=TIMEOUT_KEY,
        default=None,
        metavar="SECONDS",
        help="Cancel an async test, or an async fixture's setup or teardown step, that runs "
        "longer than SECONDS, and report where it was waiting (0: no limit).",
    )
    parser.addini(
        TIMEOUT_KEY, "Default value for --asyncio-timeout (0 or unset: no limit).", default=None
    )
    names = ", ".join(CHECK_CHOICES)
    group.addoption(
        CHECKS_FLAG,
        dest=CHECKS_KEY,
        default=None,
        metavar="CHECKS",
        help=f"Fail the test that caused an async bug. Comma- or space-separated: {names}.",
    )
    group.addoption(
        THRESHOLD_FLAG,
        dest=THRESHOLD_KEY,
        default=None,
        metavar="SECONDS",
        help="How long a callback or task step may hold the event loop before the blocking "
        f"check fails its test (default {DEFAULT_THRESHOLD:g}).",
    )
    parser.addini(CHECKS_KEY, f"Default value for {CHECKS_FLAG} (default: none).", default=None)
    parser.addini(
        THRESHOLD_KEY,
        f"Default value for {THRESHOLD_FLAG} (default: {DEFAULT_THRESHOLD:g}).",
        default=None,
    )
    group.addoption(
        CLOCK_FLAG,
        dest=CLOCK_KEY,
        default=None,
        metavar="CLOCK",
        help="The clock of async tests and fixtures: 'real', or 'virtual' (the loop's time "
        "jumps to the next timer whenever the loop would wait, and a deadlock fails at once).",
    )
    parser.addini(CLOCK_KEY, "Default value for --asyncio-clock: real (the default) or virtual.")


def is_set(config: pytest.Config, *keys: str) -> bool:
    """Whether any of *keys* is given on the command line or in the ini file (a value not
    validated yet: the feature's own module does that)."""
    for key in keys:
        if config.getoption(key) is not None:
            return True
        try:
            value = config.getini(key)
        except (ValueError, TypeError, pytest.UsageError):
            return True  # invalid: the feature's module says so
        if value not in _UNSET:
            return True
    return False


def parse(config: pytest.Config) -> Settings:
    """Read and validate every setting; raise UsageError on the first invalid one."""
    __tracebackhide__ = True
    fixture_setting = read_ini(config, "asyncio_default_fixture_loop_scope")
    return Settings(
        mode=_mode(config),
        debug=_debug(config),
        default_fixture_loop_scope=_fixture_loop_scope(config, fixture_setting),
        fixture_loop_scope_setting=None if fixture_setting is None else str(fixture_setting),
        default_test_loop_scope=_test_loop_scope(config),
    )


#: The report header's asyncio line.
HEADER: Final = (
    "asyncio: mode={mode}, debug={debug}, "
    "asyncio_default_fixture_loop_scope={fixture_loop_scope}, "
    "asyncio_default_test_loop_scope={test_loop_scope}"
)


def header(settings: Settings) -> str:
    return HEADER.format(
        mode=settings.mode,
        debug=settings.debug,
        fixture_loop_scope=settings.fixture_loop_scope_setting,
        test_loop_scope=settings.default_test_loop_scope,
    )


def _mode(config: pytest.Config) -> Mode:
    value: object = config.getoption("asyncio_mode")
    from_cli = value is not None
    if not from_cli:
        value = read_ini(config, "asyncio_mode")
    for mode in MODES:
        if value == mode:
            return mode
    from . import _messages

    origin = cli_origin("--asyncio-mode") if from_cli else ini_origin(config, "asyncio_mode")
    if value == LEGACY:
        # pytest-asyncio's default before 0.19, still found in old configurations.
        _deprecated(config, _messages.LEGACY_MODE_DEPRECATED.format(origin=origin))
        return "legacy"
    raise invalid("asyncio_mode", value, origin, MODES)


def _deprecated(config: pytest.Config, message: str) -> None:
    """Warn once, at configure time, as the ini's filterwarnings and -W say."""
    __tracebackhide__ = True
    from ._warnings import PytestAsyncioDeprecationWarning

    try:
        config.issue_config_time_warning(PytestAsyncioDeprecationWarning(message), stacklevel=3)
    except PytestAsyncioDeprecationWarning:
        # Turned into an error (filterwarnings = error): end the run with the message alone,
        # where pytest would show an internal error with a traceback.
        raise pytest.UsageError(message) from None


def _debug(config: pytest.Config) -> bool:
    if config.getoption("asyncio_debug"):
        return True
    value = read_ini(config, "asyncio_debug", choices=("true", "false"))
    if value is None:
        # Like asyncio itself: debug mode follows PYTHONASYNCIODEBUG and -X dev.
        return bool(os.environ.get("PYTHONASYNCIODEBUG")) or sys.flags.dev_mode
    return bool(value)


def _fixture_loop_scope(config: pytest.Config, value: object) -> LoopScope | None:
    if value is None or value == FIXTURE_SCOPE:
        return None
    scope = as_scope(value)
    if scope is None:
        raise invalid(
            "asyncio_default_fixture_loop_scope",
            value,
            ini_origin(config, "asyncio_default_fixture_loop_scope"),
            (*SCOPES, FIXTURE_SCOPE),
        )
    return scope


def _test_loop_scope(config: pytest.Config) -> LoopScope:
    value = read_ini(config, "asyncio_default_test_loop_scope")
    scope = as_scope(value)
    if scope is None:
        raise invalid(
            "asyncio_default_test_loop_scope",
            value,
            ini_origin(config, "asyncio_default_test_loop_scope"),
            SCOPES,
        )
    return scope


def read_ini(config: pytest.Config, key: str, choices: Sequence[str] = SCOPES) -> object:
    __tracebackhide__ = True
    try:
        value: object = config.getini(key)
    except (ValueError, TypeError, pytest.UsageError):
        # pytest could not convert the raw value to the declared type (pytest >= 9 wraps
        # the conversion error in a UsageError of its own, which names no valid choices).
        from . import _compat

        value = _compat.raw_ini_value(config, key)
        raise invalid(key, value, ini_origin(config, key), choices) from None
    return value if value not in _UNSET else None


def cli_origin(flag: str) -> str:
    from . import _messages

    return _messages.ORIGIN_CLI.format(flag=flag)


def ini_origin(config: pytest.Config, key: str) -> str:
    from . import _messages

    overrides: list[str] = getattr(config.option, "override_ini", None) or []
    if any(override.split("=", 1)[0].strip() == key for override in overrides):
        return _messages.ORIGIN_OVERRIDE.format(key=key)
    if config.inipath is None:  # no file: -o is the only other way to set an ini value
        return _messages.ORIGIN_OVERRIDE.format(key=key)
    return _messages.ORIGIN_INI.format(path=config.inipath)


def invalid(key: str, value: object, origin: str, choices: Sequence[str]) -> pytest.UsageError:
    from . import _messages

    message = _messages.INVALID_OPTION.format(
        key=key, value=value, origin=origin, choices=", ".join(choices)
    )
    return pytest.UsageError(_messages.suggesting(message, value, choices))
