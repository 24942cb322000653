"""The ``asyncio`` marker: finding it (package ``__init__.py`` included) and parsing it once.

Every marker error is raised here as :class:`MarkError`, whose message names the test and the
argument at fault; the plugin fails that test alone with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, NamedTuple

import pytest

from . import _checks as checks
from . import _compat, _messages
from ._nodes import parent_of
from ._scopes import SCOPE_CHOICES, SCOPES, LoopScope, as_scope
from ._warnings import PytestAsyncioDeprecationWarning

MARK: Final = "asyncio"
#: Marks with which other plugins claim async tests; such tests are left to them.
FOREIGN_MARKS: Final = frozenset({"anyio", "trio"})
_ACCEPTED: Final = frozenset(
    {"checks", "clock", "loop_scope", "loop_factories", "scope", "timeout"}
)
#: Keywords a misspelt one may be close to, and the keyword to suggest for each.
_SUGGESTED: Final = {
    "checks": "checks",
    "clock": "clock",
    "loop_scope": "loop_scope",
    "loop_factories": "loop_factories",
    "scope": "loop_scope",
    "timeout": "timeout",
}
_PACKAGE_MARKS = pytest.StashKey["tuple[pytest.Mark, ...]"]()


class MarkError(Exception):
    """An ``asyncio`` marker with arguments that cannot be used."""


@dataclasses.dataclass(frozen=True)
class MarkSpec:
    """The arguments of one ``asyncio`` mark, checked: one field per keyword the mark takes,
    None (False for ``legacy_scope``) when the keyword is not given.

    The comment of each field describes its keyword as users write it; the docs' reference
    shows these comments as the table of the marker's keywords.
    """

    #: The scope of the loop the test runs on: ``"function"``, ``"class"``, ``"module"``,
    #: ``"package"`` or ``"session"``. Default: the ``asyncio_default_test_loop_scope``
    #: setting.
    loop_scope: LoopScope | None = None
    #: A list of names of the ``pytest_asyncio_loop_factories`` hook's factories: the test
    #: runs only on those, in that order. Default: every factory the hook returns.
    loop_factories: tuple[str, ...] | None = None
    #: The old spelling of ``loop_scope=``, deprecated: it sets the loop scope the same way
    #: and issues a ``PytestAsyncioDeprecationWarning``.
    legacy_scope: bool = False
    #: The limit in seconds of the test body and of each async fixture setup and teardown
    #: step; ``None`` for no limit (stored as 0.0). Default: the ``asyncio_timeout`` setting.
    timeout: float | None = None
    #: The checks on for the test: a string of names separated by commas or spaces, a list of
    #: names, ``"all"``, or ``None`` or ``"none"`` for none. Default: the ``asyncio_checks``
    #: setting.
    checks: frozenset[str] | None = None
    #: The clock the test and its async fixtures run on: ``"real"`` or ``"virtual"``.
    #: Default: the ``asyncio_clock`` setting.
    clock: str | None = None

    def deprecation(self, nodeid: str) -> PytestAsyncioDeprecationWarning | None:
        """The warning a legacy argument deserves, if any."""
        if not self.legacy_scope:
            return None
        message = _messages.MARK_SCOPE_DEPRECATED.format(nodeid=nodeid, value=self.loop_scope)
        return PytestAsyncioDeprecationWarning(message)


class Found(NamedTuple):
    """What the marks of a test say about who runs it."""

    #: The closest ``asyncio`` mark, the package's ``__init__.py`` coming last.
    mark: pytest.Mark | None
    #: The test is marked for another async plugin (or uses anyio's backend fixture).
    foreign: bool = False
    #: The mark comes from the package's ``__init__.py``, not from the test's own nodes.
    from_package: bool = False


def scan(node: pytest.Item, parents: dict[int, Found] | None = None) -> Found:
    """Look at the marks of *node* once (every async test is scanned at its setup; in auto
    mode, at collection too). *parents*: what the marks of each parent say, by the parent's
    id, kept by a caller that scans the many tests of a few parents."""
    closest = None
    for mark in node.own_markers:
        name = mark.name
        if name in FOREIGN_MARKS:
            return Found(None, foreign=True)
        if closest is None and name == MARK:
            closest = mark
    parent = node.parent
    if parents is None:
        # A mark of the test's own wins over its package's: no need to look the package up.
        above = _scan_parents(parent, package=closest is None)
    elif id(parent) in parents:
        above = parents[id(parent)]
    else:
        above = parents[id(parent)] = _scan_parents(parent)
    if above.foreign or "anyio_backend" in getattr(node, "fixturenames", ()):
        return Found(None, foreign=True)
    return above if closest is None else Found(closest)


def _scan_parents(node: pytest.Collector | None, package: bool = True) -> Found:
    """What the marks of *node* and its parents say, as ``scan`` does: what
    ``node.iter_markers()`` yields, without its two layers of generators; then, unless
    *package* is false, the marks of the package's ``__init__.py``."""
    closest = None
    current = node
    while current is not None:
        for mark in current.own_markers:
            name = mark.name
            if name in FOREIGN_MARKS:
                return Found(None, foreign=True)
            if closest is None and name == MARK:
                closest = mark
        current = current.parent
    if closest is not None:
        return Found(closest)
    if package and node is not None:
        for package_mark in package_marks(node):
            if package_mark.name == MARK:
                return Found(package_mark, from_package=True)
    return _NOT_FOUND


_NOT_FOUND: Final = Found(None)


def find(node: pytest.Item) -> pytest.Mark | None:
    """The closest ``asyncio`` mark of *node*, its package's ``__init__.py`` coming last."""
    return scan(node).mark


def package_marked(collector: pytest.Collector) -> bool:
    """Whether the ``__init__.py`` of *collector*'s package marks its tests ``asyncio``."""
    return any(mark.name == MARK for mark in package_marks(collector))


def package_marks(node: pytest.Item | pytest.Collector) -> tuple[pytest.Mark, ...]:
    """The ``pytestmark`` of the ``__init__.py`` of *node*'s package, not of outer packages."""
    package = parent_of(node, pytest.Package)
    if package is None:
        return ()
    marks = package.stash.get(_PACKAGE_MARKS, None)
    if marks is None:
        module = _compat.import_package_init(package)
        marks = tuple(_unpack(getattr(module, "pytestmark", ())))
        package.stash[_PACKAGE_MARKS] = marks
    return marks


#: Parsed marks by id, each with its mark (which keeps the id from being reused).
_PARSED: dict[int, tuple[pytest.Mark, MarkSpec]] = {}
_PARSED_SIZE: Final = 256


def parse(mark: pytest.Mark, nodeid: str) -> MarkSpec:
    """Validate *mark*'s arguments; raise MarkError naming *nodeid* and the bad argument.

    A mark shared by many tests (a module's ``pytestmark``) is parsed once."""
    cached = _PARSED.get(id(mark))
    if cached is not None and cached[0] is mark:
        return cached[1]
    spec = _parse(mark, nodeid)
    if len(_PARSED) >= _PARSED_SIZE:
        _PARSED.clear()
    _PARSED[id(mark)] = (mark, spec)
    return spec


def _parse(mark: pytest.Mark, nodeid: str) -> MarkSpec:
    if mark.args:
        args = ", ".join(repr(arg) for arg in mark.args)
        raise MarkError(_messages.MARK_POSITIONAL.format(nodeid=nodeid, args=args))
    unknown = sorted(set(mark.kwargs) - _ACCEPTED)
    if unknown:
        names = ", ".join(unknown)
        message = _messages.MARK_UNKNOWN_KEYWORDS.format(nodeid=nodeid, names=names)
        raise MarkError(" ".join([message, *_keyword_suggestions(unknown)]))
    return MarkSpec(
        loop_scope=_loop_scope(mark, nodeid),
        loop_factories=_loop_factories(mark.kwargs.get("loop_factories"), nodeid),
        legacy_scope=mark.kwargs.get("scope") is not None,
        timeout=_timeout(mark, nodeid),
        checks=_checks(mark, nodeid),
        clock=_clock(mark, nodeid),
    )


def _clock(mark: pytest.Mark, nodeid: str) -> str | None:
    if "clock" not in mark.kwargs:
        return None
    from . import _clock as clock

    value = mark.kwargs["clock"]
    name = clock.as_clock(value)
    if name is None:
        message = _messages.MARK_BAD_CLOCK.format(
            nodeid=nodeid, value=value, choices=", ".join(map(repr, clock.CHOICES))
        )
        raise MarkError(_messages.suggesting(message, value, clock.CHOICES))
    return name


def _checks(mark: pytest.Mark, nodeid: str) -> frozenset[str] | None:
    if "checks" not in mark.kwargs:
        return None
    value = mark.kwargs["checks"]
    if value is None:
        return checks.NO_CHECKS
    bad = _messages.MARK_BAD_CHECKS.format(
        nodeid=nodeid, value=value, choices=", ".join(checks.CHOICES)
    )
    if not isinstance(value, (str, list, tuple, set, frozenset)):
        raise MarkError(bad)
    try:
        return checks.parse(value)
    except checks.NotChecksError:
        raise MarkError(bad) from None
    except checks.ChecksError as error:
        message = _messages.MARK_UNKNOWN_CHECKS.format(
            nodeid=nodeid, value=value, names=error, choices=", ".join(checks.CHOICES)
        )
        raise MarkError(message + error.suggestions()) from None


def _timeout(mark: pytest.Mark, nodeid: str) -> float | None:
    if "timeout" not in mark.kwargs:
        return None
    value = mark.kwargs["timeout"]
    if value is None:
        return 0.0
    from ._timeouts import seconds as as_seconds  # _timeouts imports this module

    seconds = as_seconds(value)
    if seconds is None or isinstance(value, str):
        raise MarkError(_messages.MARK_BAD_TIMEOUT.format(nodeid=nodeid, value=value))
    return seconds


def _loop_scope(mark: pytest.Mark, nodeid: str) -> LoopScope | None:
    keyword = "loop_scope"
    value = mark.kwargs.get("loop_scope")
    legacy = mark.kwargs.get("scope")
    if legacy is not None:
        if value is not None:
            raise MarkError(_messages.MARK_SCOPE_AND_LOOP_SCOPE.format(nodeid=nodeid, value=value))
        keyword, value = "scope", legacy
    if value is None:
        return None
    scope = as_scope(value)
    if scope is None:
        message = _messages.MARK_BAD_SCOPE.format(
            nodeid=nodeid, keyword=keyword, value=value, choices=SCOPE_CHOICES
        )
        raise MarkError(_messages.suggesting(message, value, SCOPES))
    return scope


def _keyword_suggestions(unknown: Iterable[str]) -> Iterator[str]:
    """What each misspelt keyword probably meant (the deprecated scope= means loop_scope=)."""
    for name in unknown:
        match = _messages.close_match(name, _SUGGESTED)
        if match is not None:
            suggestion = _SUGGESTED[match]
            yield _messages.DID_YOU_MEAN_KEYWORD.format(suggestion=suggestion, name=name)


def _loop_factories(value: object, nodeid: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, Sequence)
        or not value
        or not all(isinstance(name, str) and name for name in value)
    ):
        raise MarkError(_messages.MARK_BAD_FACTORIES.format(nodeid=nodeid, value=value))
    return tuple(value)


def _unpack(marks: object) -> Iterable[pytest.Mark]:
    items = marks if isinstance(marks, (list, tuple)) else [marks]
    for item in items:
        mark = getattr(item, "mark", item)
        if isinstance(mark, pytest.Mark):
            yield mark
