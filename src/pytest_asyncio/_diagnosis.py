"""Explaining failures caused by a test and its async fixtures running on different loops.

Two traps, one report section, computed only for failing tests:

- "attached to a different loop": asyncio raises it when a future, task, lock or queue made on
  one loop is used on another. The section names every async fixture of the test with its loop
  scope, the test's own, and the settings that put them on one loop.
- the idle server: a wider-scoped async fixture started a server (or opened a connection) on
  its loop, and the test, on a loop of its own, talks to it. That loop does not run during the
  test, so the test waits, usually until a timeout. The section names the fixture, its loop,
  the sockets that loop holds, and the same fix.

The section is added to the report itself, so it reaches xdist's controller and junitxml.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

import pytest

from . import _collect, _compat, _messages
from ._nodes import scope_node
from ._scopes import SCOPES, LoopScope

if TYPE_CHECKING:
    from ._runner import LoopRunner

SECTION: Final = "event loops (pytest-asyncio-ng)"
_FIXTURE_LOOPS: Final = pytest.StashKey[dict[object, LoopScope]]()
#: What asyncio's messages say when an object is used on a loop it does not belong to.
_SYMPTOMS: Final = ("attached to a different loop", "bound to a different event loop")


_WATCHING: Final = pytest.StashKey[bool]()


def watch(config: pytest.Config) -> None:
    """Start explaining failures: called when the first job on our loops fails (a test body,
    an async fixture's setup or teardown step), before its report is made. A run whose async
    tests pass never calls the report hook: it is three hook wrapper calls per test."""
    if _WATCHING not in config.stash:
        config.stash[_WATCHING] = True
        from ._plugins import reports

        config.pluginmanager.register(reports, "pytest-asyncio-ng-reports")


def remember(config: pytest.Config, fixturedef: object, loop_scope: LoopScope) -> None:
    """Record the loop scope an async fixture (its FixtureDef) was set up on."""
    stash = config.stash
    try:  # not setdefault(): it makes a dict for every setup
        stash[_FIXTURE_LOOPS][fixturedef] = loop_scope
    except KeyError:
        stash[_FIXTURE_LOOPS] = {fixturedef: loop_scope}


def annotate(item: pytest.Item, report: pytest.TestReport, error: BaseException) -> None:
    """Add the section to the failed *report* of *item* when one of the traps explains it,
    or the section the failure brings (a timeout's other pending tasks)."""
    spec = _collect.spec_of(item)
    test_loop_scope = spec.loop_scope if spec is not None and spec.error is None else None
    own: tuple[str, str] | None = getattr(error, "asyncio_section", None)
    if own is not None:
        add_section(report, *own)
        return
    if is_different_loop_error(error):
        names_task = (
            report.when == "call"
            and test_loop_scope is not None
            and _names_test_task(item, test_loop_scope, error)
        )
        text = explain(item, test_loop_scope, names_task=names_task)
    elif test_loop_scope is not None:
        text = explain_idle_loops(item, test_loop_scope)
    else:
        text = None
    if text is not None:
        add_section(report, SECTION, text)


def add_section(report: pytest.TestReport, title: str, text: str) -> None:
    addsection = getattr(report.longrepr, "addsection", None)
    if addsection is not None:
        # In the failure's own text: junitxml writes it, xdist serializes it.
        addsection(title, text)
    else:  # a plain string, e.g. from pytest.fail(pytrace=False)
        report.sections.append((title, text))


def is_different_loop_error(error: BaseException) -> bool:
    return any(symptom in text for text in _texts(error, set()) for symptom in _SYMPTOMS)


def explain(
    item: pytest.Item, test_loop_scope: LoopScope | None, *, names_task: bool = False
) -> str | None:
    """The "different loop" section for *item*, or None if it used no async fixture."""
    used = _async_fixtures(item)
    if not used:
        return None
    lines = [_messages.DIFFERENT_LOOP_HEADER]
    lines += [
        _messages.DIFFERENT_LOOP_FIXTURE.format(name=name, loop_scope=scope)
        for name, scope in used.items()
    ]
    scopes = list(used.values())
    if test_loop_scope is not None:
        lines.append(_messages.DIFFERENT_LOOP_TEST.format(loop_scope=test_loop_scope))
        scopes.append(test_loop_scope)
        if names_task:
            lines.append(_messages.DIFFERENT_LOOP_TASK.format(loop_scope=test_loop_scope))
    widest = max(scopes, key=SCOPES.index)
    lines.append(_messages.DIFFERENT_LOOP_FIX.format(scope=widest))
    return "\n".join(lines)


def explain_idle_loops(item: pytest.Item, test_loop_scope: LoopScope) -> str | None:
    """The "idle loop" section for the async test *item*, or None when no loop but the
    test's own holds a socket."""
    from . import _loops  # imported by the async test already

    runners = _loops.loops_of(item.config).runners
    chain = item.listchain()
    test_owner = scope_node(item, test_loop_scope)
    factory = _factory_name(item)
    used = _async_fixtures(item)
    lines = [_messages.IDLE_LOOP_HEADER.format(loop_scope=test_loop_scope)]
    scopes = [test_loop_scope]
    for (owner, name), runner in list(runners.items()):
        if owner not in chain or (factory is not None and name != factory[0]):
            continue
        if owner is test_owner or not runner.started:
            continue
        sockets = _sockets(runner)
        if not sockets:
            continue
        on_it = {
            fixture: scope for fixture, scope in used.items() if scope_node(item, scope) is owner
        }
        if on_it:
            lines += [
                _messages.IDLE_LOOP_FIXTURE.format(name=fixture, loop_scope=scope, sockets=sockets)
                for fixture, scope in on_it.items()
            ]
            scopes += on_it.values()
        else:
            scope = _owner_scope(owner)
            lines.append(_messages.IDLE_LOOP_UNNAMED.format(loop_scope=scope, sockets=sockets))
            scopes.append(scope)
    if len(lines) == 1:
        return None
    widest = max(scopes, key=SCOPES.index)
    if widest == test_loop_scope:  # the fixture's loop is the narrower one
        lines.append(_messages.DIFFERENT_LOOP_FIX.format(scope=widest))
    else:
        lines.append(_messages.IDLE_LOOP_FIX.format(scope=widest))
    return "\n".join(lines)


def _names_test_task(item: pytest.Item, test_loop_scope: LoopScope, error: BaseException) -> bool:
    """Whether *error* names the task that ran the test body (not a task the test made)."""
    runner = _test_runner(item, test_loop_scope)
    # The runner keeps its last task, finished or not, until the loop closes at teardown.
    task = getattr(runner, "_driver", None)
    get_name = getattr(task, "get_name", None)
    if get_name is None:
        return False
    name = f"name={get_name()!r}"
    return any(name in text for text in _texts(error, set()))


def _test_runner(item: pytest.Item, test_loop_scope: LoopScope) -> LoopRunner | None:
    from . import _loops

    factory = _factory_name(item)
    if factory is None:
        return None
    runners = _loops.loops_of(item.config).runners
    return runners.get((scope_node(item, test_loop_scope), factory[0]))


def _async_fixtures(item: pytest.Item) -> dict[str, LoopScope]:
    """The async fixtures set up for *item*, by name, with their loop scopes."""
    known = item.config.stash.get(_FIXTURE_LOOPS, {})
    return {
        name: known[fixturedef]
        for name, fixturedef in _compat.fixtures_in_use(item).items()
        if fixturedef in known
    }


def _factory_name(item: pytest.Item) -> tuple[str | None] | None:
    """The name of the loop factory of *item* (in a 1-tuple), or None when it is unknown."""
    from . import _loops

    try:
        return (_loops.select_factory(item).name,)  # as chosen when the test ran
    except (Exception, pytest.skip.Exception, pytest.fail.Exception):
        return None


def _owner_scope(owner: pytest.Item | pytest.Collector) -> LoopScope:
    if isinstance(owner, pytest.Session):
        return "session"
    if isinstance(owner, pytest.Package):
        return "package"
    if isinstance(owner, pytest.Module):
        return "module"
    if isinstance(owner, pytest.Class):
        return "class"
    return "function"


def _sockets(runner: LoopRunner) -> str:
    """What the loop of *runner* holds open, e.g. "a server listening on 127.0.0.1:8080"."""
    from . import _aio

    return ", ".join(_describe_fd(fd) for fd in _aio.watched_fds(runner.loop))


def _describe_fd(fd: int) -> str:
    try:
        duplicate = os.dup(fd)  # a socket object of our own, which closes only the duplicate
    except OSError:
        return _messages.SOCKET_OTHER.format(fd=fd)
    try:
        sock = socket.socket(fileno=duplicate)
    except OSError:  # not a socket (a pipe, a file)
        os.close(duplicate)
        return _messages.SOCKET_OTHER.format(fd=fd)
    with sock:
        try:
            address = _address(sock.getsockname())
        except OSError:
            return _messages.SOCKET_OTHER.format(fd=fd)
        try:
            peer = _address(sock.getpeername())
        except OSError:
            return _messages.SOCKET_LISTENING.format(address=address)
        return _messages.SOCKET_CONNECTED.format(address=address, peer=peer)


def _address(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)


def _texts(error: BaseException, seen: set[int]) -> Iterator[str]:
    if id(error) in seen:
        return
    seen.add(id(error))
    yield str(error)
    for inner in getattr(error, "exceptions", ()):  # exception groups
        if isinstance(inner, BaseException):
            yield from _texts(inner, seen)
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            yield from _texts(linked, seen)
