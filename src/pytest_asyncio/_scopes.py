"""Loop scopes: their names, their order, and the node that owns a scope instance."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

import pytest

LoopScope = Literal["function", "class", "module", "package", "session"]

#: Narrowest first; the position is the width.
SCOPES: Final[tuple[LoopScope, ...]] = ("function", "class", "module", "package", "session")
SCOPE_CHOICES: Final = ", ".join(SCOPES)


def as_scope(value: object) -> LoopScope | None:
    """Return *value* as a loop scope, or None when it names none."""
    for scope in SCOPES:
        if value == scope:
            return scope
    return None


def is_narrower(scope: LoopScope, than: LoopScope) -> bool:
    return SCOPES.index(scope) < SCOPES.index(than)


def scope_node(
    node: pytest.Item | pytest.Collector, scope: LoopScope
) -> pytest.Item | pytest.Collector:
    """The node that owns the *scope* instance *node* belongs to.

    A scope with no enclosing collector of its kind falls back like pytest's fixtures do: a
    class scope outside a class is the node itself, a package scope outside a package is the
    session.
    """
    if scope == "function":
        return node
    if scope == "class":
        return node.getparent(pytest.Class) or node
    if scope == "module":
        return node.getparent(pytest.Module) or node
    if scope == "package":
        return node.getparent(pytest.Package) or node.session
    return node.session


def package_of(item: pytest.Item, where: Path) -> pytest.Package | pytest.Session:
    """The innermost package of *item* whose directory holds *where* (the place a fixture is
    defined), else the session. The rootdir is a package too when it has an ``__init__.py``.
    """
    for node in reversed(item.listchain()):
        if isinstance(node, pytest.Package) and where.is_relative_to(node.path):
            return node
    return item.session
