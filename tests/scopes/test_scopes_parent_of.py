"""The owner of a scope instance is found as pytest's ``getparent()`` finds it, for pytest's
own nodes and for a plugin's subclasses of them."""

from __future__ import annotations

import pytest

from pytest_asyncio._nodes import parent_of

CONFTEST = """
import pytest


class CustomModule(pytest.Module):
    pass


class CustomFunction(pytest.Function):
    pass


def pytest_pycollect_makemodule(module_path, parent):
    if module_path.name == "test_custom.py":
        return CustomModule.from_parent(parent, path=module_path)


def pytest_pycollect_makeitem(collector, name, obj):
    if name == "test_custom_item":
        return [CustomFunction.from_parent(collector, name=name)]
"""

MODULE = """
class TestClass:
    def test_in_class(self):
        pass


def test_in_module():
    pass


def test_custom_item():
    pass
"""


def test_parent_of_finds_what_getparent_finds(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    package = pytester.mkpydir("pkg")
    (package / "test_plain.py").write_text(MODULE)
    (package / "test_custom.py").write_text(MODULE)
    (pytester.path / "test_outside.py").write_text(MODULE)
    items, _ = pytester.inline_genitems()
    assert len(items) == 9
    kinds = (pytest.Class, pytest.Module, pytest.Package, pytest.Session, pytest.Function)
    for item in items:
        for node in item.listchain():
            assert isinstance(node, (pytest.Item, pytest.Collector))
            for kind in kinds:
                assert parent_of(node, kind) is node.getparent(kind), (node, kind)
    # The cases that matter are there: a test outside any package and class, and the
    # plugin's own classes of module and test.
    outside = next(item for item in items if item.nodeid == "test_outside.py::test_in_module")
    assert parent_of(outside, pytest.Package) is None
    assert parent_of(outside, pytest.Class) is None
    custom = {type(node).__name__ for item in items for node in item.listchain()}
    assert {"CustomModule", "CustomFunction"} <= custom
