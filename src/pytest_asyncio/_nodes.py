"""The nodes that own scope instances, and the parents of a node by their class.

Imported with the first async test: a run of sync tests does not load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, TypeVar

import pytest

from ._scopes import LoopScope


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
        return parent_of(node, pytest.Class) or node
    if scope == "module":
        return parent_of(node, pytest.Module) or node
    if scope == "package":
        return parent_of(node, pytest.Package) or node.session
    return node.session


NodeT = TypeVar("NodeT", bound="pytest.Item | pytest.Collector")
#: Whether a class of nodes is a subclass of another, by the pair: see parent_of().
_IS_SUBCLASS: dict[tuple[type, type], bool] = {}
#: A run has a few classes of nodes; emptied beyond this (pytester's runs define their own).
_IS_SUBCLASS_SIZE: Final = 64


def parent_of(node: pytest.Item | pytest.Collector, cls: type[NodeT]) -> NodeT | None:
    """The innermost of *node* and its parents that is a *cls*, as ``node.getparent(cls)``.

    pytest's node classes are ABCs: each ``isinstance()`` that getparent() asks goes through
    ``ABCMeta.__instancecheck__``, and most answers are no. The answer for a class of nodes is
    the same for all its nodes: it is asked once."""
    current: pytest.Item | pytest.Collector | None = node
    while current is not None:
        kind = type(current)
        found = _IS_SUBCLASS.get((kind, cls))
        if found is None:
            if len(_IS_SUBCLASS) >= _IS_SUBCLASS_SIZE:
                _IS_SUBCLASS.clear()
            found = _IS_SUBCLASS[kind, cls] = issubclass(kind, cls)
        if found:
            return current  # type: ignore[return-value]  # a cls, as issubclass() says
        current = current.parent
    return None


def package_of(item: pytest.Item, where: Path) -> pytest.Package | pytest.Session:
    """The innermost package of *item* whose directory holds *where* (the place a fixture is
    defined), else the session. The rootdir is a package too when it has an ``__init__.py``.
    """
    for node in reversed(item.listchain()):
        if isinstance(node, pytest.Package) and where.is_relative_to(node.path):
            return node
    return item.session
