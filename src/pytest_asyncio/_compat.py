"""Every use of pytest internals, in one place, so a pytest upgrade touches one module."""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import pytest
from _pytest._code import getfslineno
from _pytest.fixtures import FixtureDef, SubRequest, resolve_fixture_function
from _pytest.outcomes import Failed
from _pytest.python import importtestmodule
from _pytest.skipping import xfailed_key
from _pytest.unittest import TestCaseFunction

__all__ = ["Failed", "FixtureDef", "SubRequest"]

#: What pytest warns with when a test returns a value; None on pytest 8.4.0, which fails the
#: test instead (8.4.1 brought the warning back).
RETURN_NOT_NONE_WARNING: Final[type[Warning] | None] = getattr(
    pytest, "PytestReturnNotNoneWarning", None
)


def raw_ini_value(config: pytest.Config, key: str) -> object:
    """The value of ini option *key* as written (for messages about values pytest rejects)."""
    for override in reversed(getattr(config.option, "override_ini", None) or []):
        name, _, value = str(override).partition("=")
        if name.strip() == key:
            return value
    # pytest >= 9.2 deprecates the public ``inicfg`` in favour of getini(), which is what
    # failed here; the private mapping holds the raw value.
    inicfg = getattr(config, "_inicfg", None)
    if inicfg is None:
        inicfg = config.inicfg
    raw = inicfg.get(key)
    return getattr(raw, "value", raw)


def function_location(function: object) -> tuple[Path, int]:
    """The file of *function* and the 1-based line where its definition starts."""
    path, lineno = getfslineno(function)
    return Path(path), lineno + 1


def import_package_init(package: pytest.Package) -> types.ModuleType | None:
    """The module object of *package*'s ``__init__.py`` (imported as pytest imports it)."""
    try:
        module = importtestmodule(package.path / "__init__.py", package.config)
    except Exception:  # Package.setup reports the import error itself.
        return None
    return module if isinstance(module, types.ModuleType) else None


def fixture_function(fixturedef: FixtureDef[Any], request: SubRequest) -> Callable[..., Any]:
    """The user's fixture function, bound to the test instance for fixtures in classes."""
    return resolve_fixture_function(fixturedef, request)


def set_fixture_function(fixturedef: FixtureDef[Any], function: Callable[..., Any]) -> None:
    """Replace the function pytest calls to set up *fixturedef*."""
    fixturedef.func = function  # type: ignore[misc]  # Final in pytest's stubs


def request_item(request: pytest.FixtureRequest) -> pytest.Item:
    """The test item a (sub)request was made for."""
    item: pytest.Item = request._pyfuncitem
    return item


def unittest_case(item: pytest.Item) -> type | None:
    """The unittest.TestCase class of a unittest test item, or None for other items."""
    if type(item) is pytest.Function:  # most items: no isinstance() check of an ABC (slow)
        return None
    if not isinstance(item, TestCaseFunction) or item.parent is None:
        return None
    case: type = item.parent.obj  # type: ignore[attr-defined]
    return case


def fixtures_in_use(item: pytest.Item) -> dict[str, FixtureDef[Any]]:
    """The definitions of the fixtures set up for *item*, by name, including those requested
    at run time with getfixturevalue()."""
    used: dict[str, FixtureDef[Any]] = getattr(item_request(item), "_fixture_defs", {})
    return used


def item_request(item: pytest.Item) -> pytest.FixtureRequest:
    """The fixture request of a test item (what its ``request`` fixture would be)."""
    request: pytest.FixtureRequest = item._request  # type: ignore[attr-defined]
    return request


def test_argnames(item: pytest.Function) -> Sequence[str]:
    """The names of the arguments of the test function itself, as pytest passes them."""
    names: Sequence[str] = item._fixtureinfo.argnames
    return names


def fixture_defs(node: pytest.Item | pytest.Collector, name: str) -> Sequence[FixtureDef[Any]]:
    """The definitions of fixture *name* visible from *node*, innermost last."""
    defs = node.session._fixturemanager.getfixturedefs(name, node)
    return defs or ()


#: How the failures of an async test that no plugin ran begin: pytest's own (pytest >= 8.4),
#: and hypothesis's for a @given test (its executor got a coroutine).
_UNSUPPORTED_ASYNC: Final = (
    "async def functions are not natively supported",
    "Hypothesis doesn't know how to run async test functions",
)


def is_unsupported_async_failure(error: BaseException) -> bool:
    """Whether *error* is pytest's (or hypothesis's) failure of an async test that no plugin
    ran, which advises installing an async plugin. Should either reword it, its own message
    is shown instead of ours."""
    message = getattr(error, "msg", None) if isinstance(error, pytest.fail.Exception) else None
    if message is None:
        message = str(error) if type(error).__module__ == "hypothesis.errors" else ""
    return isinstance(message, str) and message.startswith(_UNSUPPORTED_ASYNC)


def fixture_path(config: pytest.Config, fixturedef: FixtureDef[Any]) -> Path:
    """Where *fixturedef* is defined, as pytest scopes it: the directory of its conftest.py
    (the rootdir for plugins and the rootdir's conftest.py), or its module."""
    return config.rootpath / fixturedef.baseid.split("::")[0]


def metafunc_fixture_defs(metafunc: pytest.Metafunc) -> Mapping[str, Sequence[FixtureDef[Any]]]:
    """The definitions of the fixtures a test being parametrized uses, by name."""
    defs: Mapping[str, Sequence[FixtureDef[Any]]] = metafunc._arg2fixturedefs
    return defs


def closure_defs(item: pytest.Item) -> Mapping[str, Sequence[FixtureDef[Any]]]:
    """The definitions of the fixtures in *item*'s closure, by name, innermost last."""
    info = getattr(item, "_fixtureinfo", None)
    defs: Mapping[str, Sequence[FixtureDef[Any]]] = info.name2fixturedefs if info else {}
    return defs


def is_direct_param(fixturedef: FixtureDef[Any]) -> bool:
    """Whether *fixturedef* stands for a ``@pytest.mark.parametrize`` argument."""
    return getattr(fixturedef.func, "__name__", None) == "get_direct_param_fixture_func"


def expected_failure(item: pytest.Item) -> str | None:
    """The reason of the xfail mark that makes any failure of *item* an expected one (as
    pytest evaluated it at setup); None when there is none, when it names the exceptions it
    expects (``raises=``), or with ``--runxfail``."""
    if item.config.option.runxfail:
        return None
    xfailed = item.stash.get(xfailed_key, None)
    if xfailed is None or xfailed.raises is not None:
        return None
    return xfailed.reason
