"""SPEC "Other behaviour users rely on": pytest-xdist workers. With ``-n 2`` (load and
loadscope distribution) every loop scope works: on each worker, the tests of one scope instance
share one loop and other scope instances have loops of their own; session loops are per worker;
with loadscope, a module's test functions and a class's methods all share one loop."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

SCOPES = ["function", "class", "module", "package", "session"]

# Each test records (worker pid, node id, loop scope, loop tag) into a file of its worker.
# A loop is tagged on first sight with a tag unique in the run (ids of closed loops get reused).
PROBE = """
import asyncio
import itertools
import json
import os
from pathlib import Path

RECORDS = Path({records!r})
_TAGS = itertools.count()


def record(nodeid, scope):
    loop = asyncio.get_running_loop()
    assert not loop.is_closed()
    tag = loop.__dict__.setdefault("probe_tag", f"{{os.getpid()}}-{{next(_TAGS)}}")
    line = json.dumps([os.getpid(), nodeid, scope, tag])
    with (RECORDS / f"{{os.getpid()}}.jsonl").open("a") as file:
        file.write(line + "\\n")
"""

# Every test module: two test functions per loop scope except class, and two classes of two
# methods on class-scoped loops; awaiting lets any interleaving on a shared loop show.
MODULE = """
import asyncio

import pytest

from probe import record

{functions}

@pytest.mark.asyncio(loop_scope="class")
class TestA:
    async def test_1(self, request):
        await asyncio.sleep(0)
        record(request.node.nodeid, "class")

    async def test_2(self, request):
        record(request.node.nodeid, "class")


@pytest.mark.asyncio(loop_scope="class")
class TestB:
    async def test_1(self, request):
        record(request.node.nodeid, "class")

    async def test_2(self, request):
        await asyncio.sleep(0)
        record(request.node.nodeid, "class")
"""

FUNCTION = """
@pytest.mark.asyncio(loop_scope={scope!r})
async def test_{scope}_{n}(request):
    await asyncio.sleep(0)
    record(request.node.nodeid, {scope!r})
"""

PACKAGES = ["pkg_a", "pkg_b"]
MODULES = ["test_m1", "test_m2"]
FUNCTION_SCOPES = [scope for scope in SCOPES if scope != "class"]
TESTS_PER_MODULE = 2 * len(FUNCTION_SCOPES) + 4
# Each process (the controller and each worker) would import every installed plugin; those of
# hypothesis and anyio cost ~2 s per process here, so the inner runs do without them.
QUIET = ["-p", "no:cacheprovider"] + [
    f"-pno:{name}" for name in ("hypothesispytest", "anyio", "pytest_cov", "timeout")
]
TOTAL = len(PACKAGES) * len(MODULES) * TESTS_PER_MODULE


def instance(nodeid: str, scope: str) -> str:
    """The scope instance a test belongs to, from its node id "pkg/test_m.py::[Class::]test"."""
    return {
        "function": nodeid,
        "class": nodeid.rsplit("::", 1)[0],
        "module": nodeid.split("::")[0],
        "package": nodeid.split("/")[0],
        "session": "",
    }[scope]


@pytest.fixture
def suite(pytester: pytest.Pytester) -> Path:
    """Write the suite; return the directory the workers record into."""
    records = pytester.mkdir("records")
    pytester.makeini("[pytest]\nasyncio_mode = strict\n")
    pytester.makepyfile(probe=PROBE.format(records=str(records)))
    functions = "".join(
        FUNCTION.format(scope=scope, n=n) for scope in FUNCTION_SCOPES for n in (1, 2)
    )
    for package in PACKAGES:
        pytester.mkpydir(package)
        for module in MODULES:
            path = pytester.path / package / f"{module}.py"
            path.write_text(MODULE.format(functions=functions))
    return records


@pytest.mark.parametrize("dist", ["load", "loadscope"])
@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_every_loop_scope_under_xdist(pytester: pytest.Pytester, suite: Path, dist: str) -> None:
    result = pytester.runpytest("-n", "2", "--dist", dist, *QUIET)
    result.assert_outcomes(passed=TOTAL)

    records = [
        json.loads(line) for path in suite.iterdir() for line in path.read_text().splitlines()
    ]
    assert len(records) == TOTAL
    assert sorted({nodeid for _, nodeid, _, _ in records}) == sorted(
        nodeid for _, nodeid, _, _ in records
    )
    pids = {pid for pid, _, _, _ in records}
    assert len(pids) == 2, "both workers ran tests"

    # On each worker: one loop per (scope, scope instance), and distinct ones otherwise.
    loops: dict[tuple[int, str, str], set[str]] = collections.defaultdict(set)
    for pid, nodeid, scope, tag in records:
        loops[pid, scope, instance(nodeid, scope)].add(tag)
    for key, tags in loops.items():
        assert len(tags) == 1, key
    all_tags = [next(iter(tags)) for tags in loops.values()]
    assert len(set(all_tags)) == len(all_tags), "each scope instance has a loop of its own"

    # Session loops are per worker: a worker's session-scoped tests all shared one loop (above),
    # and that covered several tests on some worker, so the check was not vacuous.
    per_worker = collections.Counter(pid for pid, _, scope, _ in records if scope == "session")
    assert max(per_worker.values()) > 1, per_worker

    if dist == "loadscope":
        # loadscope sends a module's test functions and each class to a single worker, so
        # each module and class loop serves all of its tests.
        workers: dict[str, set[int]] = collections.defaultdict(set)
        for pid, nodeid, scope, _ in records:
            if scope in ("module", "class"):
                workers[instance(nodeid, scope)].add(pid)
        assert len(workers) == len(PACKAGES) * len(MODULES) * 3
        assert all(len(pids) == 1 for pids in workers.values()), workers
        module_tests = collections.Counter(
            instance(nodeid, scope) for _, nodeid, scope, _ in records if scope == "module"
        )
        assert set(module_tests.values()) == {2}
