"""The loop factories hook: asking it, checking its answer, and the variants of a test.

When the ``pytest_asyncio_loop_factories`` hook applies to an async test, the test is
parametrized indirectly over the factories it names, through the ``_asyncio_loop_factory``
fixture. That fixture is the first one each such test sets up, and every fixture of ours wider
than a function is tied to it (``_loops.bind_to_factory``): when the next test runs on another
factory, pytest sets the fixture up again, so the chosen factory is part of the fixture's cache
key. The parametrization's scope is the widest of the test's loop scope and the cache scopes of
the fixtures of ours it uses, so pytest groups the tests of one factory together and each such
fixture is set up once per factory.

Nothing here imports asyncio: collection with a hook does not need it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import pytest

from . import _compat, _messages
from ._decorator import options_of
from ._inspect import async_kind
from ._scopes import LoopScope, as_scope, is_narrower

if TYPE_CHECKING:
    from ._settings import Settings

#: The fixture (and parameter) that carries a test's loop factory.
FACTORY_PARAM: Final = "_asyncio_loop_factory"

_Pending = dict[_compat.FixtureDef[Any], tuple[_compat.SubRequest, "str | None"]]
#: Fixtures of ours set up for a test without a factory (a sync test) before the factory
#: fixture was, with the name of the factory they got: see _loops.settle().
PENDING_KEY: Final = pytest.StashKey[_Pending]()


def has_pending(config: pytest.Config) -> bool:
    return bool(config.stash.get(PENDING_KEY, None))


@dataclasses.dataclass(frozen=True)
class Factory:
    """A loop factory and its name.

    Equal by name only: the name is what identifies a variant (its runner, and the cache key of
    the fixtures tied to it), whatever callable the hook returns for it each time it is asked.
    """

    name: str | None
    create: Callable[[], Any] = dataclasses.field(compare=False)
    #: The policy of an event_loop_policy override, current while the loop is open.
    policy: Any = dataclasses.field(default=None, compare=False)

    def __repr__(self) -> str:  # how --setup-show shows the parameter
        return repr(self.name)


class FactoriesError(Exception):
    """The hook's answer for a test cannot be used; the message says which implementation
    gave it and what is wrong with it."""


def hook_factories(
    config: pytest.Config, node: pytest.Item, *, none_means_default: bool = False
) -> dict[str, Factory] | None:
    """The factories the hook names for *node*, checked; None when no implementation applies
    to *node* (a conftest elsewhere), or when all return None and *none_means_default*.

    Raise FactoriesError for an unusable answer, naming the implementation's file and line.
    """
    caller = node.ihook.pytest_asyncio_loop_factories
    impls = caller.get_hookimpls()
    if not impls:
        return None
    result = caller(config=config, item=node)
    if result is None:
        if none_means_default:
            return None
        where = ", ".join(_where(config, impl) for impl in reversed(impls))
        raise FactoriesError(_messages.HOOK_ALL_NONE.format(nodeid=node.nodeid, where=where))
    problem = _problem(result)
    if problem is not None:
        culprit = _culprit(impls, config, node)
        where = _where(config, culprit) if culprit is not None else "a hook wrapper"
        raise FactoriesError(
            _messages.HOOK_BAD_RESULT.format(
                where=where, value=result, nodeid=node.nodeid, problem=problem
            )
        )
    return {name: Factory(name, create) for name, create in result.items()}


def _problem(result: object) -> str | None:
    """What is wrong with a non-None answer of the hook, or None if nothing is."""
    if not isinstance(result, Mapping):
        return _messages.HOOK_RESULT_NOT_A_MAPPING.format(type=type(result).__name__)
    if not result:
        return _messages.HOOK_RESULT_EMPTY
    for name, create in result.items():
        if not isinstance(name, str) or not name:
            return _messages.HOOK_RESULT_BAD_NAME.format(name=name)
        if not callable(create):
            return _messages.HOOK_RESULT_NOT_CALLABLE.format(name=name)
    return None


def _culprit(impls: Sequence[Any], config: pytest.Config, node: pytest.Item) -> Any:
    """The implementation whose answer the hook returned: the first, in pluggy's call order,
    to answer something other than None. Asked again only when the answer is unusable."""
    kwargs = {"config": config, "item": node}
    for impl in reversed(impls):
        if impl.hookwrapper or impl.wrapper:
            continue
        if impl.function(*(kwargs[name] for name in impl.argnames)) is not None:
            return impl
    return None


def _where(config: pytest.Config, impl: Any) -> str:
    """An implementation's file and line, relative to the rootdir when inside it."""
    path, line = _compat.function_location(impl.function)
    if path.is_relative_to(config.rootpath):
        path = path.relative_to(config.rootpath)
    return f"{path}:{line}"


def variants(
    factories: Mapping[str, Factory], wanted: Sequence[str] | None, nodeid: str
) -> list[Any]:
    """The parameters of a test: one per factory, in the order the mark names them (else the
    hook's). A name the hook does not offer is a variant skipped at the test, saying which
    names it offers. A single variant adds no id to the test's name."""
    names = list(wanted) if wanted else list(factories)
    available = ", ".join(map(repr, factories))
    params = []
    for name in names:
        id_: Any = name if len(names) > 1 else pytest.HIDDEN_PARAM
        factory = factories.get(name)
        if factory is not None:
            params.append(pytest.param(factory, id=id_))
        else:
            reason = _messages.UNKNOWN_LOOP_FACTORY.format(
                name=name, nodeid=nodeid, available=available
            )
            params.append(pytest.param(None, id=id_, marks=pytest.mark.skip(reason=reason)))
    return params


def param_scope(metafunc: pytest.Metafunc, loop_scope: LoopScope, settings: Settings) -> LoopScope:
    """The scope of the factory parametrization: the widest of the test's loop scope and the
    cache scopes of the fixtures of ours the test uses (a fixture it looks up at run time is
    not known here: it is still set up again per factory, maybe more than once)."""
    widest = loop_scope
    defs = _compat.metafunc_fixture_defs(metafunc)
    for name in metafunc.fixturenames:
        for fixturedef in defs.get(name, ())[-1:]:
            scope = as_scope(fixturedef.scope)
            if scope is not None and is_narrower(widest, scope) and _ours(fixturedef, settings):
                widest = scope
    return widest


def _ours(fixturedef: _compat.FixtureDef[Any], settings: Settings) -> bool:
    function = fixturedef.func
    if options_of(function) is not None:
        return True
    return settings.auto and async_kind(getattr(function, "__func__", function)) is not None
