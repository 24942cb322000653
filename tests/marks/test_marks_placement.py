"""Where the asyncio mark may sit, which one wins, and which loop each loop_scope selects.

SPEC "The marker": function, method, class (decorator and ``pytestmark``), module and package
``__init__.py`` marks; the closest mark wins; class marks are inherited; ``loop_scope`` for
the five scopes, defaulting to ``asyncio_default_test_loop_scope``; a scope needs no
enclosing collector of its type.

Every inner test records ``asyncio.get_running_loop()`` in a dict held by the inner
conftest (module-level, so it lives across tests); at the end of the inner session the
conftest writes which tests ran on the very same loop object. The outer test compares that
partition with the one the marks must produce.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

RECORDER = """
import asyncio
import json

import pytest

LOOPS = {}


@pytest.fixture
def record(request):
    def record_running_loop():
        loop = asyncio.get_running_loop()
        assert loop.is_running() and not loop.is_closed()
        LOOPS[request.node.nodeid] = loop

    return record_running_loop


def pytest_sessionfinish(session):
    groups = []
    for nodeid, loop in LOOPS.items():
        for group in groups:
            if LOOPS[group[0]] is loop:
                group.append(nodeid)
                break
        else:
            groups.append([nodeid])
    (session.config.rootpath / "loop_groups.json").write_text(json.dumps(groups))
"""

Partition = set[frozenset[str]]


def partition(*groups: str) -> Partition:
    """``partition("a b", "c")``: tests a and b share one loop, c runs on another."""
    return {frozenset(group.split()) for group in groups}


def loop_groups(pytester: pytest.Pytester) -> Partition:
    groups: list[list[str]] = json.loads((pytester.path / "loop_groups.json").read_text())
    return {frozenset(group) for group in groups}


def test_closest_mark_wins_function_class_module(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(
        test_where="""
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")


        async def test_module_1(record):
            record()


        async def test_module_2(record):
            record()


        @pytest.mark.asyncio(loop_scope="function")
        async def test_function_mark(record):
            record()


        @pytest.mark.asyncio(loop_scope="class")
        class TestDecorated:
            async def test_1(self, record):
                record()

            async def test_2(self, record):
                record()

            @pytest.mark.asyncio(loop_scope="function")
            async def test_method_mark(self, record):
                record()


        class TestPytestmark:
            pytestmark = pytest.mark.asyncio(loop_scope="class")

            async def test_1(self, record):
                record()

            async def test_2(self, record):
                record()


        class TestInheritsPytestmark(TestPytestmark):
            pass


        class TestInheritsDecorated(TestDecorated):
            async def test_3(self, record):
                record()


        class TestUnmarked:
            async def test_1(self, record):
                record()

            @pytest.mark.asyncio(loop_scope="class")
            async def test_2(self, record):
                record()

            @pytest.mark.asyncio(loop_scope="class")
            async def test_3(self, record):
                record()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=17)
    m = "test_where.py::"
    assert loop_groups(pytester) == partition(
        f"{m}test_module_1 {m}test_module_2 {m}TestUnmarked::test_1",
        f"{m}test_function_mark",
        f"{m}TestDecorated::test_1 {m}TestDecorated::test_2",
        f"{m}TestDecorated::test_method_mark",
        f"{m}TestPytestmark::test_1 {m}TestPytestmark::test_2",
        f"{m}TestInheritsPytestmark::test_1 {m}TestInheritsPytestmark::test_2",
        f"{m}TestInheritsDecorated::test_1 {m}TestInheritsDecorated::test_2 "
        f"{m}TestInheritsDecorated::test_3",
        f"{m}TestInheritsDecorated::test_method_mark",
        f"{m}TestUnmarked::test_2 {m}TestUnmarked::test_3",
    )


def test_package_mark_applies_to_that_package_only(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(
        **{
            "pkg/__init__": """
                import pytest

                pytestmark = pytest.mark.asyncio(loop_scope="package")
            """,
            "pkg/test_a": """
                async def test_a1(record):
                    record()


                async def test_a2(record):
                    record()
            """,
            "pkg/test_b": """
                import pytest


                async def test_b(record):
                    record()


                @pytest.mark.asyncio(loop_scope="function")
                async def test_b_function_mark(record):
                    record()
            """,
            "pkg/test_c": """
                import pytest

                pytestmark = pytest.mark.asyncio(loop_scope="module")


                async def test_c1(record):
                    record()


                async def test_c2(record):
                    record()
            """,
            "pkg/sub/__init__": "",
            "pkg/sub/test_sub": """
                async def test_s1(record):
                    record()


                async def test_s2(record):
                    record()
            """,
            "test_outside": """
                async def test_o1(record):
                    record()


                async def test_o2(record):
                    record()
            """,
        }
    )
    result = pytester.runpytest()
    in_package = partition(
        "pkg/test_a.py::test_a1 pkg/test_a.py::test_a2 pkg/test_b.py::test_b",
        "pkg/test_b.py::test_b_function_mark",
        "pkg/test_c.py::test_c1 pkg/test_c.py::test_c2",
    )
    unmarked = ["pkg/sub/test_sub.py::test_s1", "pkg/sub/test_sub.py::test_s2"]
    unmarked += ["test_outside.py::test_o1", "test_outside.py::test_o2"]
    if mode == "strict":
        # Unmarked: not ours, so pytest itself fails them; the package mark did not reach them.
        result.assert_outcomes(passed=6, failed=4)
        assert loop_groups(pytester) == in_package
    else:
        # Auto mode: each runs on its own loop (the default function scope), not the package's.
        result.assert_outcomes(passed=10)
        assert loop_groups(pytester) == in_package | partition(*unmarked)


def test_package_mark_reaches_items_made_after_collection_pass(
    pytester: pytest.Pytester,
) -> None:
    """Our collection pass puts a package's mark on its tests; an item another plugin makes
    after that pass still finds the mark in the package's ``__init__.py`` at its setup."""
    pytester.makeconftest(
        RECORDER
        + """

def pytest_collection_modifyitems(items):
    # Not tryfirst: after the plugin's own pass over the items.
    for item in list(items):
        if item.name == "test_a1":
            items.append(
                pytest.Function.from_parent(item.parent, name="test_copy", callobj=item.obj)
            )
"""
    )
    pytester.makepyfile(
        **{
            "pkg/__init__": """
                import pytest

                pytestmark = pytest.mark.asyncio(loop_scope="package")
            """,
            "pkg/test_a": """
                async def test_a1(record):
                    record()
            """,
        }
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2)
    assert loop_groups(pytester) == partition("pkg/test_a.py::test_a1 pkg/test_a.py::test_copy")


# Nodeids of the layout written by test_loop_scope_selects_the_loop.
A1, A2 = "pkg_a/test_one.py::TestX::test_1", "pkg_a/test_one.py::TestX::test_2"
A3 = "pkg_a/test_one.py::TestY::test_1"
A4, A5 = "pkg_a/test_one.py::test_free_1", "pkg_a/test_one.py::test_free_2"
B, C = "pkg_a/test_two.py::test_1", "pkg_b/test_three.py::test_1"
D1, D2 = "test_top.py::test_1", "test_top.py::test_2"
#: Marked loop_scope="function" whatever the ini default: always a loop each.
F1, F2 = "test_function_mark.py::test_1", "test_function_mark.py::test_2"
EXPECTED_GROUPS = {
    "function": partition(A1, A2, A3, A4, A5, B, C, D1, D2),
    # A module-level test with loop_scope="class" gets a loop of its own.
    "class": partition(f"{A1} {A2}", A3, A4, A5, B, C, D1, D2),
    "module": partition(f"{A1} {A2} {A3} {A4} {A5}", B, C, f"{D1} {D2}"),
    # A module outside any package shares the session's loop (like package fixtures do).
    "package": partition(f"{A1} {A2} {A3} {A4} {A5} {B}", C, f"{D1} {D2}"),
    "session": partition(f"{A1} {A2} {A3} {A4} {A5} {B} {C} {D1} {D2}"),
}
TWO_TESTS = """

async def test_1(record):
    record()


async def test_2(record):
    record()
"""


@pytest.mark.parametrize("scope", list(EXPECTED_GROUPS))
def test_loop_scope_selects_the_loop(
    pytester: pytest.Pytester, ini: Callable[..., None], scope: str
) -> None:
    """pkg_a/test_one.py and pkg_b take the scope from the ini default (bare mark), the
    other modules from the mark's loop_scope; an explicit loop_scope beats the ini."""
    ini(asyncio_mode="strict", asyncio_default_test_loop_scope=scope)
    bare = "import pytest\n\npytestmark = pytest.mark.asyncio\n"
    explicit = f'import pytest\n\npytestmark = pytest.mark.asyncio(loop_scope="{scope}")\n'
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(
        **{
            "pkg_a/__init__": "",
            "pkg_a/test_one": bare
            + """
class TestX:
    async def test_1(self, record):
        record()

    async def test_2(self, record):
        record()


class TestY:
    async def test_1(self, record):
        record()


async def test_free_1(record):
    record()


async def test_free_2(record):
    record()
""",
            "pkg_a/test_two": explicit + "\n\nasync def test_1(record):\n    record()\n",
            "pkg_b/__init__": "",
            "pkg_b/test_three": bare + "\n\nasync def test_1(record):\n    record()\n",
            "test_top": explicit + TWO_TESTS,
            "test_function_mark": explicit.replace(scope, "function") + TWO_TESTS,
        }
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=11)
    assert loop_groups(pytester) == EXPECTED_GROUPS[scope] | partition(F1, F2)
