"""Pure logic without pytester: marker parsing, scopes, the context chain."""

from __future__ import annotations

import contextvars

import pytest

from pytest_asyncio import _messages
from pytest_asyncio._contexts import publish, withdraw
from pytest_asyncio._marks import MarkError, MarkSpec, parse
from pytest_asyncio._scopes import SCOPE_CHOICES, SCOPES, as_scope, is_narrower

NODEID = "test_x.py::test_y"


def _mark(**kwargs: object) -> pytest.Mark:
    return pytest.mark.asyncio.with_args(**kwargs).mark


@pytest.mark.parametrize("scope", SCOPES)
def test_parse_accepts_every_scope(scope: str) -> None:
    assert parse(_mark(loop_scope=scope), NODEID) == MarkSpec(loop_scope=as_scope(scope))


def test_parse_without_arguments() -> None:
    assert parse(pytest.mark.asyncio.mark, NODEID) == MarkSpec()


def test_parse_keeps_factory_order() -> None:
    spec = parse(_mark(loop_factories=["b", "a"]), NODEID)
    assert spec.loop_factories == ("b", "a")


@pytest.mark.parametrize(("value", "seconds"), [(2, 2.0), (0.25, 0.25), (0, 0.0), (None, 0.0)])
def test_parse_timeout(value: object, seconds: float) -> None:
    """timeout=None and timeout=0 turn the limit off (0.0); no keyword leaves it unset."""
    assert parse(_mark(timeout=value), NODEID).timeout == seconds
    assert parse(_mark(loop_scope="module"), NODEID).timeout is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"loop_scope": "modul"},
            _messages.MARK_BAD_SCOPE.format(
                nodeid=NODEID, keyword="loop_scope", value="modul", choices=SCOPE_CHOICES
            )
            + " Did you mean 'module'?",
        ),
        (
            {"loop_scope": "module", "scope": "module"},
            _messages.MARK_SCOPE_AND_LOOP_SCOPE.format(nodeid=NODEID, value="module"),
        ),
        (
            {"loop_factories": "uvloop"},
            _messages.MARK_BAD_FACTORIES.format(nodeid=NODEID, value="uvloop"),
        ),
        (
            {"loop_factories": []},
            _messages.MARK_BAD_FACTORIES.format(nodeid=NODEID, value=[]),
        ),
        (
            {"deadline": 3},
            _messages.MARK_UNKNOWN_KEYWORDS.format(nodeid=NODEID, names="deadline"),
        ),
        *(
            ({"timeout": value}, _messages.MARK_BAD_TIMEOUT.format(nodeid=NODEID, value=value))
            for value in (-1, "3", True, float("nan"), float("inf"), [3])
        ),
        (
            {"loop_factories": [""]},
            _messages.MARK_BAD_FACTORIES.format(nodeid=NODEID, value=[""]),
        ),
        (
            {"loop_scop": "module", "loop_factory": ["a"], "scop": "module"},
            _messages.MARK_UNKNOWN_KEYWORDS.format(
                nodeid=NODEID, names="loop_factory, loop_scop, scop"
            )
            + " Did you mean loop_factories= instead of loop_factory=?"
            + " Did you mean loop_scope= instead of loop_scop=?"
            + " Did you mean loop_scope= instead of scop=?",
        ),
    ],
)
def test_parse_rejects(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(MarkError) as info:
        parse(_mark(**kwargs), NODEID)
    assert str(info.value) == message


def test_parse_rejects_positional_arguments() -> None:
    mark = pytest.mark.asyncio.with_args("module").mark
    with pytest.raises(MarkError) as info:
        parse(mark, NODEID)
    assert str(info.value) == _messages.MARK_POSITIONAL.format(nodeid=NODEID, args="'module'")


def test_a_shared_mark_is_parsed_once_and_a_bad_one_names_each_test() -> None:
    shared = pytest.mark.asyncio(loop_scope="module").mark
    assert parse(shared, "t.py::a") is parse(shared, "t.py::b")
    bad = pytest.mark.asyncio(loop_scope="week").mark
    for nodeid in ("t.py::a", "t.py::b"):
        with pytest.raises(MarkError) as info:
            parse(bad, nodeid)
        assert str(info.value) == _messages.MARK_BAD_SCOPE.format(
            nodeid=nodeid, keyword="loop_scope", value="week", choices=SCOPE_CHOICES
        )


def test_legacy_scope_is_parsed_and_reported_as_deprecated() -> None:
    spec = parse(_mark(scope="module"), NODEID)
    assert spec.loop_scope == "module"
    warning = spec.deprecation(NODEID)
    assert isinstance(warning, pytest.PytestDeprecationWarning)
    message = _messages.MARK_SCOPE_DEPRECATED.format(nodeid=NODEID, value="module")
    assert str(warning) == message
    assert parse(_mark(loop_scope="module"), NODEID).deprecation(NODEID) is None


def test_scope_order() -> None:
    assert is_narrower("function", "class")
    assert is_narrower("package", "session")
    assert not is_narrower("module", "module")
    assert not is_narrower("session", "function")
    assert as_scope("fixture-scope") is None


def test_publish_sets_changed_values_and_withdraw_restores_them() -> None:
    changed: contextvars.ContextVar[int] = contextvars.ContextVar("changed", default=0)
    fresh: contextvars.ContextVar[str] = contextvars.ContextVar("fresh")
    same: contextvars.ContextVar[str] = contextvars.ContextVar("same", default="x")

    def fixture_body() -> None:
        changed.set(1)
        fresh.set("new")

    context = contextvars.copy_context()
    context.run(fixture_body)

    def in_a_test() -> None:
        tokens = publish(context)
        assert len(tokens) == 2  # "same" was not changed, so it is not set again
        assert (changed.get(), fresh.get(), same.get()) == (1, "new", "x")
        withdraw(tokens)
        assert (changed.get(), fresh.get(None), same.get()) == (0, None, "x")
        withdraw(tokens)  # twice is harmless

    contextvars.copy_context().run(in_a_test)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("sesion", "session"),
        ("Function", "function"),
        ("MODULE", "module"),
        ("pakage", "package"),
        ("galaxy", None),
        ("", None),
        (3, None),
    ],
)
def test_close_match(value: object, match: str | None) -> None:
    assert _messages.close_match(value, SCOPES) == match


def test_suggesting_adds_the_close_match_only() -> None:
    assert _messages.suggesting("Bad.", "clas", SCOPES) == "Bad. Did you mean 'class'?"
    assert _messages.suggesting("Bad.", "galaxy", SCOPES) == "Bad."
