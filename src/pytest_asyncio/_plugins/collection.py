"""Collection: preparing async tests, loop-factory parametrization, legacy overrides.

pytest offers every name of every test module to ``pytest_pycollect_makeitem`` and every test
function to ``pytest_generate_tests``: a hook there costs each test of every suite, async or
not. So the async tests are prepared in one pass over the collected items (before the ``-m`` and
``-k`` selection), and the two per-function hooks are registered only once a run needs them:
loop-factory parametrization when an implementation of ``pytest_asyncio_loop_factories`` is
registered, and the ``event_loop_policy`` overrides when a module or class may override it.
"""

from __future__ import annotations

import functools
import os
import sys
import types
from typing import Final

import pytest

from pytest_asyncio._inspect import (
    ASYNCGEN,
    COROUTINE,
    FUNCTION,
    HYPOTHESIS,
    MARKER,
    AsyncKind,
    async_kind,
    plain_function,
    wrapped_by_hypothesis,
)
from pytest_asyncio._settings import SETTINGS_KEY

#: The fixture name lists (closures) of the tests parametrized over loop factories.
_CLOSURES_KEY = pytest.StashKey[list[list[str]]]()
_FACTORIES_PLUGIN: Final = "asyncio-ng-loop-factories"
_OVERRIDES_PLUGIN: Final = "asyncio-ng-overrides"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: auto mode's marks are on the items before -m and -k select them.
    settings = config.stash[SETTINGS_KEY]
    strict = not settings.auto
    package_marked: dict[int, bool] = {}  # by the id of the tests' module or class
    to_prepare: list[tuple[pytest.Function, AsyncKind | None]] = []
    for item in items:
        # isinstance() only for other classes: node classes are ABCs, whose check is slow.
        if type(item) is not pytest.Function and not isinstance(item, pytest.Function):
            continue
        function = item.obj
        # A plain function's kind from its code flags (async_kind's first answer, inline: this
        # runs for every test of the session).
        if type(function) is FUNCTION and MARKER not in function.__dict__:
            flags = function.__code__.co_flags
            if flags & COROUTINE:
                kind: AsyncKind | None = "coroutine"
            elif flags & ASYNCGEN:
                kind = "asyncgen"
            elif HYPOTHESIS in function.__dict__:
                kind = None
            else:
                continue  # sync tests: nothing to prepare
        else:
            kind = async_kind(function)
            if kind is None and not wrapped_by_hypothesis(function):
                continue
        parent = item.parent
        marked = package_marked.get(id(parent))
        if marked is None:  # the first async test of its module or class
            from pytest_asyncio import _marks, _overrides

            assert isinstance(parent, pytest.Collector)  # a Module or a Class
            _overrides.overrides_for(parent)  # notes the event_loop overrides it may use
            marked = package_marked[id(parent)] = _marks.package_marked(parent)
        if kind == "coroutine" and ((strict and not marked) or _own_mark(item)):
            continue  # nothing to add: marked where it is defined (the common case), or strict
        to_prepare.append((item, kind))
    if to_prepare:
        from pytest_asyncio._collect import prepare
        from pytest_asyncio._marks import Found

        parents: dict[int, Found] = {}  # what the marks of each module or class say
        for item, kind in to_prepare:
            prepare(item, settings, kind, parents)
    _put_factory_first(config)


def _own_mark(item: pytest.Function) -> bool:
    for mark in item.own_markers:  # noqa: SIM110  # a loop: no generator for each test
        if mark.name == "asyncio":
            return True
    return False


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Before a module or class is collected: register the overrides hook if it may need it."""
    if not isinstance(collector, (pytest.Module, pytest.Class)):
        return
    manager = collector.config.pluginmanager
    if not manager.has_plugin(_OVERRIDES_PLUGIN) and _may_override(collector):
        manager.register(_Overrides(), _OVERRIDES_PLUGIN)


#: The fixture of ours that async tests request when a user overrides it (_overrides.POLICY).
_POLICY: Final = "event_loop_policy"


def _may_override(collector: pytest.Module | pytest.Class) -> bool:
    """Whether the tests of *collector* may see an ``event_loop_policy`` override defined in
    it: asked as it starts being collected, before its own fixtures are parsed, so it errs
    towards yes. (Conftests and plugins: ``pytest_plugin_registered``.)"""
    if isinstance(collector, pytest.Module):
        return _mentions_policy(collector.path)
    # A class may inherit an override from a base class defined in another module.
    for klass in getattr(collector.obj, "__mro__", ())[:-1]:  # not object
        path = getattr(sys.modules.get(klass.__module__), "__file__", None)
        if isinstance(path, str) and _mentions_policy(path):
            return True
    return False


class _Overrides:
    """Puts an ``event_loop_policy`` override in the closure of each async test under it."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(
        self, collector: pytest.Module | pytest.Class, name: str, obj: object
    ) -> None:
        # Called for every name of every module and class: look at types only (plain_function),
        # never at attributes a user's object computes, and leave the rest to pytest.
        function = plain_function(obj)
        if function is None or async_kind(function) is None:
            return
        from pytest_asyncio import _overrides

        overrides = _overrides.overrides_for(collector)
        if overrides and collector.istestfunction(obj, name):
            # Before pytest builds the items: a parametrized override parametrizes the tests.
            for fixture in overrides:
                pytest.mark.usefixtures(fixture.name)(function)


def _mentions_policy(path: str | os.PathLike[str]) -> bool:
    try:
        stat = os.stat(path)
    except OSError:
        return True
    return _file_mentions_policy(os.fspath(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)  # the modules of many classes' bases: read once each
def _file_mentions_policy(path: str, mtime: int, size: int) -> bool:
    try:
        with open(path, "rb") as file:
            return _POLICY.encode() in file.read()
    except OSError:
        return True


def pytest_plugin_registered(plugin: object, manager: pytest.PytestPluginManager) -> None:
    """Parametrize async tests over loop factories once something implements the hook; and
    register the overrides hook for a conftest or plugin that may override a fixture of ours."""
    if not manager.has_plugin(_FACTORIES_PLUGIN):
        hook = getattr(manager.hook, "pytest_asyncio_loop_factories", None)
        if hook is not None and hook.get_hookimpls():
            manager.register(_Factories(), _FACTORIES_PLUGIN)
    if manager.has_plugin(_OVERRIDES_PLUGIN) or not isinstance(plugin, types.ModuleType):
        return
    path = getattr(plugin, "__file__", None)
    ours = plugin.__name__.startswith(("_pytest.", "pytest_asyncio."))
    if isinstance(path, str) and not ours and _mentions_policy(path):
        manager.register(_Overrides(), _OVERRIDES_PLUGIN)


class _Factories:
    @pytest.hookimpl(trylast=True)  # after pytest's own, as when it was always registered
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Run an async test once per loop factory the hook names for it (see _factories)."""
        from pytest_asyncio import _collect, _factories, _marks

        definition = metafunc.definition
        settings = metafunc.config.stash[SETTINGS_KEY]
        if not _collect.is_ours(definition, settings):
            return
        mark = _marks.find(definition)
        try:
            spec = _marks.parse(mark, definition.nodeid) if mark else None
        except _marks.MarkError:
            return  # reported when the test is set up
        try:
            factories = _factories.hook_factories(metafunc.config, definition)
        except _factories.FactoriesError as error:
            pytest.fail(str(error), pytrace=False)  # a collection error: just the message
        if factories is None:
            return  # no implementation applies here; a loop_factories mark fails at setup
        wanted = spec.loop_factories if spec is not None else None
        loop_scope = (
            spec.loop_scope if spec is not None else None
        ) or settings.default_test_loop_scope
        scope = _factories.param_scope(metafunc, loop_scope, settings)
        metafunc.fixturenames.append(_factories.FACTORY_PARAM)
        metafunc.parametrize(
            _factories.FACTORY_PARAM,
            _factories.variants(factories, wanted, definition.nodeid),
            indirect=True,
            scope=scope,
        )
        metafunc.config.stash.setdefault(_CLOSURES_KEY, []).append(metafunc.fixturenames)


# The name is _factories.FACTORY_PARAM (not imported here: a run without factories skips it).
@pytest.fixture(scope="session", name="_asyncio_loop_factory")
def _loop_factory(request: pytest.FixtureRequest) -> object:
    """The loop factory of an async test under the loop factories hook (its parameter)."""
    from pytest_asyncio import _factories

    factory = getattr(request, "param", None)
    if _factories.has_pending(request.config):
        from pytest_asyncio import _loops

        _loops.settle(request, factory)
    return factory


def _put_factory_first(config: pytest.Config) -> None:
    # Each test's spec is computed when it is first needed, at its setup: after every hook
    # that adds marks, and never for tests that are deselected or not run on this worker.
    closures = config.stash.get(_CLOSURES_KEY, None)
    if not closures:
        return
    from pytest_asyncio._factories import FACTORY_PARAM

    for names in closures:
        # The factory fixture goes first, so that a change of factory tears down the fixtures
        # tied to the previous one before any of them is looked up. pytest drops it from the
        # closure after parametrizing (no test argument asks for it): put it back.
        if FACTORY_PARAM in names:
            names.remove(FACTORY_PARAM)
        names.insert(0, FACTORY_PARAM)
    config.stash[_CLOSURES_KEY] = []
