"""Instructions per test and fixed cost of the plugin, against asyncio's floor and pytest-asyncio.

Usage: ``make bench`` or
``python benchmarks/instructions.py [--sizes 200 800] [--layouts 3] [--repeat 3] [--no-reference]
[-k TEXT]`` (needs valgrind; by hand, never in CI: about 15 to 20 minutes per layout at the
default sizes on 2 cores).

Every scenario runs at two suite sizes (500 tests per module) under callgrind, and its cost per
test is the slope, (I(large) - I(small)) / (large - small): interpreter start, imports and the
plugin's configuration cancel out. Each run is first made once without valgrind, which writes
the bytecode caches. At most two run under callgrind at once.

A count repeats exactly, whatever the load of the machine, but it depends on where objects land
in memory and how strings hash: CPython's attribute cache is indexed by the addresses of names,
and dict lookups probe further when hashes collide. The same Python code (the same opcodes, to
the unit) has measured up to 1.5 % apart per test in two such layouts; ratios near their targets
flip with it. So each scenario is counted in ``--layouts`` interpreter layouts (layout k:
``PYTHONHASHSEED=k`` and ``k * LAYOUT_PAD`` small objects allocated before pytest starts, both
sizes in the same layout) and the median slope is the result; the table shows the spread (largest
minus smallest slope, in % of the median).

Suites, each in strict mode (``@pytest.mark.asyncio``) and in auto mode (the same tests unmarked,
``asyncio_mode = auto`` in the ini): sync tests; async tests on a function loop; on a session loop
(``loop_scope="session"`` in strict mode, ``asyncio_default_test_loop_scope = session`` in auto
mode); async tests using an async generator fixture. They run with the plugin (ours), with the
plugin and the install check off (``-p no:asyncio -p no:_asyncio_ng_guard``: the floors) and, the
async ones, under the minimal runner (MINIMAL_CONFTEST in run.py, plugin off), which only creates,
runs and closes loops: what asyncio itself costs. Collection (``--collect-only``) is counted on the
marked suite with the marker registered in the ini, plugin off (the floor) and on, strict and auto.

The fixed cost is the count of a run of one sync test with the plugin on, minus the same with both
off (the whole distribution's cost). Ours is this repository installed (not editable, reinstalled
every run from the working tree) with pytest in ``.venv-bench-instr``; pytest-asyncio, the newest
release, runs the same suites from ``.venv-bench-ref`` with the same pytest. For ours and
pytest-asyncio the CPU time (user + system) of the larger async suites is also measured, median of
``--repeat`` runs without valgrind.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from run import (
    ASYNC,
    ASYNC_FIXTURE,
    ASYNC_FIXTURE_HEAD,
    ASYNC_HEAD,
    PICK_HELP,
    REF_VENV,
    ROOT,
    SESSION,
    SESSION_HEAD,
    SYNC,
    Scenario,
    bench_env,
    distribution_version,
    ensure_venv,
    make_suite,
    picked,
    pytest_version,
    run_once,
    with_minimal_runner,
)
from slope import count

VENV = ROOT / ".venv-bench-instr"

UNMARKED = "async def test_{i}():\n    pass\n"
AUTO_FIXTURE_HEAD = "import pytest\n\n@pytest.fixture\nasync def value():\n    yield 1\n\n"
AUTO_FIXTURE = "async def test_{i}(value):\n    assert value == 1\n"
MARKER = "markers =\n    asyncio: run on asyncio\n"
AUTO = "asyncio_mode = auto\n"
SESSION_DEFAULT = "asyncio_default_test_loop_scope = session\n"

#: name: head and body of its modules, lines of its pytest.ini after ``[pytest]``
SUITES: dict[str, tuple[str, str, str]] = {
    "sync": ("", SYNC, ""),
    "sync auto": ("", SYNC, AUTO),
    "function": (ASYNC_HEAD, ASYNC, ""),
    "function auto": ("", UNMARKED, AUTO),
    "session": (SESSION_HEAD, SESSION, ""),
    "session auto": ("", UNMARKED, AUTO + SESSION_DEFAULT),
    "fixture": (ASYNC_FIXTURE_HEAD, ASYNC_FIXTURE, ""),
    "fixture auto": (AUTO_FIXTURE_HEAD, AUTO_FIXTURE, AUTO),
    "marked": (ASYNC_HEAD, ASYNC, MARKER),
    "marked auto": (ASYNC_HEAD, ASYNC, MARKER + AUTO),
    "unmarked": ("", UNMARKED, ""),
}
#: A suite of this name is the suite after "minimal " run by MINIMAL_CONFTEST.
MINIMAL = "minimal "

#: The plugin off, and the install check (an entry point of its own) too: the floor is pytest
#: without this distribution, so the fixed cost counts both.
OFF = ("-p", "no:asyncio", "-p", "no:_asyncio_ng_guard")
COLLECT = ("--collect-only",)
MODES = (("strict", ""), ("auto", " auto"))
#: scenario kind: its suite (strict mode; auto mode adds " auto")
ASYNC_KINDS = {"function loop": "function", "session loop": "session", "async fixture": "fixture"}

#: The fixed cost: a run of one sync test, plugin on minus off, in ours and the reference's venv.
FIXED = {
    "ours": ("ours: 1 sync test", "floor: 1 sync test"),
    "pytest-asyncio": ("ref: 1 sync test", "ref off: 1 sync test"),
}
FIXED_TARGET = 40e6
LOOP_TARGET = 1.03
SYNC_TARGET = 1.01
COLLECT_TARGET = 1.01


@dataclass(frozen=True)
class Case:
    name: str
    suite: str
    venv: Path
    args: tuple[str, ...] = ()
    #: run at one test only (a fixed cost), not at the two sizes
    single: bool = False


def cases(reference: bool) -> list[Case]:
    floors = [
        Case("floor: sync", "sync", VENV, OFF),
        Case("floor: collect marked", "marked", VENV, (*OFF, *COLLECT)),
        Case("floor: collect unmarked", "unmarked", VENV, (*OFF, *COLLECT)),
        Case("floor: 1 sync test", "sync", VENV, OFF, single=True),
    ]
    minimal, ours, ref = [], [], []
    for mode, suffix in MODES:
        ours.append(Case(f"ours: sync, {mode}", f"sync{suffix}", VENV))
        for kind, suite in ASYNC_KINDS.items():
            minimal.append(Case(f"minimal: {kind}, {mode}", MINIMAL + suite + suffix, VENV, OFF))
            ours.append(Case(f"ours: {kind}, {mode}", suite + suffix, VENV))
            ref.append(Case(f"ref: {kind}, {mode}", suite + suffix, REF_VENV))
        ours.append(Case(f"ours: collect marked, {mode}", f"marked{suffix}", VENV, COLLECT))
        ref.append(Case(f"ref: collect marked, {mode}", f"marked{suffix}", REF_VENV, COLLECT))
    ours.append(Case("ours: collect unmarked, auto", "function auto", VENV, COLLECT))
    ref.append(Case("ref: collect unmarked, auto", "function auto", REF_VENV, COLLECT))
    ours.append(Case("ours: 1 sync test", "sync", VENV, single=True))
    ref.append(Case("ref: 1 sync test", "sync", REF_VENV, single=True))
    ref.append(Case("ref off: 1 sync test", "sync", REF_VENV, OFF, single=True))
    return floors + minimal + ours + (ref if reference else [])


def ratios() -> list[tuple[str, str, str, float | None]]:
    """(label, numerator, denominator, target) of the ratio table, in instructions per test."""
    rows: list[tuple[str, str, str, float | None]] = []
    for mode, _ in MODES:
        for kind in ASYNC_KINDS:
            name = f"{kind}, {mode}"
            label = f"ours / minimal: {name}"
            rows.append((label, f"ours: {name}", f"minimal: {name}", LOOP_TARGET))
    for mode, _ in MODES:
        name = f"sync, {mode}"
        rows.append((f"ours / floor: {name}", f"ours: {name}", "floor: sync", SYNC_TARGET))
    for mode, _ in MODES:
        name = f"collect marked, {mode}"
        bottom = "floor: collect marked"
        rows.append((f"ours / floor: {name}", f"ours: {name}", bottom, COLLECT_TARGET))
    name = "collect unmarked, auto"
    rows.append((f"ours / floor: {name}", f"ours: {name}", "floor: collect unmarked", None))
    return rows


def build_suites(base: Path, names: set[str], sizes: set[int]) -> dict[tuple[str, int], Path]:
    """The suites of these names at these sizes, in *base*, by (name, size)."""
    plain = {name.removeprefix(MINIMAL) for name in names}
    suites: dict[tuple[str, int], Path] = {}
    for name in sorted(plain):
        head, body, ini = SUITES[name]
        for size in sizes:
            directory = base / f"{name.replace(' ', '-')}-{size}"
            suites[name, size] = make_suite(directory, head, body, size, "[pytest]\n" + ini)
    for name in sorted(names - plain):
        for size in sizes:
            original = suites[name.removeprefix(MINIMAL), size]
            directory = base / f"{name.replace(' ', '-')}-{size}"
            suites[name, size] = with_minimal_runner(original, directory)
    return suites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(200, 800), metavar=("A", "B"))
    parser.add_argument(
        "--layouts", type=int, default=3, help="interpreter layouts per count (default 3)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="CPU-time runs (default 3)")
    parser.add_argument("--no-reference", action="store_true", help="skip pytest-asyncio")
    parser.add_argument("-k", dest="only", help=PICK_HELP)
    options = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py needs valgrind on PATH")
    small, large = sorted(options.sizes)
    if small == large:
        sys.exit("--sizes needs two different sizes")
    if options.layouts < 1:
        sys.exit("--layouts needs at least 1")
    selected = [c for c in cases(not options.no_reference) if picked(options.only, c.name)]
    if not selected:
        sys.exit(f"no scenario has {options.only!r} in its name")

    ensure_venv(VENV, ["pytest", str(ROOT)], reinstall=True)  # not editable: as users install
    version = pytest_version(VENV)
    reference = "skipped"
    if any(case.venv == REF_VENV for case in selected):
        ensure_venv(REF_VENV, [f"pytest=={version}", "pytest-asyncio"])
        reference = distribution_version(REF_VENV, "pytest-asyncio")
    env = bench_env()
    workers = min(os.cpu_count() or 1, 2)

    with tempfile.TemporaryDirectory(prefix="bench-instr-") as tmp:
        base = Path(tmp)
        sized = {c.suite for c in selected if not c.single}
        suites = build_suites(base, sized, {small, large})
        suites |= build_suites(base / "one", {c.suite for c in selected if c.single}, {1})
        jobs = [
            Scenario(case.name, case.venv, str(suites[case.suite, size]), case.args)
            for case in selected
            for size in ((1,) if case.single else (large, small))
        ]
        layouts = range(options.layouts)
        counts = count_all(jobs, layouts, workers, env)
        cpu = time_cpu(selected, suites, large, options.repeat, env)

    per_test: dict[str, float] = {}
    spread: dict[str, float] = {}
    totals: dict[str, float] = {}
    for case in selected:
        if case.single:
            one = str(suites[case.suite, 1])
            totals[case.name] = statistics.median(counts[case.name, one, k] for k in layouts)
            continue
        low, high = str(suites[case.suite, small]), str(suites[case.suite, large])
        slopes = [
            (counts[case.name, high, k] - counts[case.name, low, k]) / (large - small)
            for k in layouts
        ]
        totals[case.name] = statistics.median(counts[case.name, high, k] for k in layouts)
        per_test[case.name] = statistics.median(slopes)
        spread[case.name] = (max(slopes) - min(slopes)) / per_test[case.name]
    print(
        f"\npython {platform.python_version()}, pytest {version}, pytest-asyncio {reference}, "
        f"ours {revision()}, {platform.machine()}, {os.cpu_count()} cores; "
        f"slope between {small} and {large} tests, median of {options.layouts} layout(s)"
    )
    report(selected, per_test, spread, totals, cpu, large)


def time_cpu(
    selected: list[Case],
    suites: dict[tuple[str, int], Path],
    size: int,
    repeat: int,
    env: dict[str, str],
) -> dict[str, float]:
    """Median CPU time per test (s) of ours and the reference's runs of the larger suite, for
    the scenarios both have; rounds interleaved, one run at a time."""
    names = {case.name for case in selected}
    timed = [
        Scenario(case.name, case.venv, str(suites[case.suite, size]), case.args)
        for case in selected
        if not case.single
        and case.name.startswith(("ours:", "ref:"))
        and {case.name.replace("ours:", "ref:"), case.name.replace("ref:", "ours:")} <= names
    ]
    for _ in range(repeat):
        for scenario in timed:
            run_once(scenario, env)
    return {scenario.name: scenario.median_cpu / size for scenario in timed}


def count_all(
    jobs: list[Scenario], layouts: range, workers: int, env: dict[str, str]
) -> dict[tuple[str, str, int], int]:
    """Instructions of each job under callgrind in each layout, by (name, suite, layout), each
    after a run without valgrind that writes the bytecode caches; progress on stderr."""

    def one(job: Scenario, layout: int) -> int:
        python = job.venv / "bin" / "python"
        found = count(python, Path(job.suite), job.args, env, layout)
        if found is None:
            run_once(job, env)  # exits with the output of the run if it fails again
            sys.exit(f"{job.name} failed once in {job.suite}")
        return found

    counts: dict[tuple[str, str, int], int] = {}
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = {pool.submit(one, job, k): (job, k) for job in jobs for k in layouts}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            job, k = futures[future]
            counts[job.name, job.suite, k] = found = future.result()
            size = Path(job.suite).name.rsplit("-", 1)[1]
            print(
                f"[{done:>3}/{len(futures)}] {job.name:34} {size:>6} tests, layout {k} "
                f"{found / 1e6:9.1f} M",
                file=sys.stderr,
            )
    return counts


def revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        "+changes" if git("status", "--porcelain") else ""
    )


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"{target:7.2f} {'ok' if value <= target else 'OVER'}"


def report(
    selected: list[Case],
    per_test: dict[str, float],
    spread: dict[str, float],
    totals: dict[str, float],
    cpu: dict[str, float],
    large: int,
) -> None:
    header = f"{'k instr/test':>12} {'spread':>7} {'M instr':>9} {'cpu µs/test':>11}"
    print(f"\n{'scenario':34} {header}")
    for case in selected:
        slope = f"{per_test[case.name] / 1e3:12.1f}" if case.name in per_test else f"{'':12}"
        apart = f"{spread[case.name]:6.1%}" if case.name in spread else ""
        cell = f"{cpu[case.name] * 1e6:11.0f}" if case.name in cpu else ""
        line = f"{case.name:34} {slope} {apart:>7} {totals[case.name] / 1e6:9.1f} {cell}"
        print(line.rstrip())
    print(f"(M instr: the run of {large} tests, or of 1 test; spread: largest - smallest slope)")

    print(f"\n{'ratio, instructions per test':48} {'value':>7} {'target':>7}")
    for label, top, bottom, target in ratios():
        if top in per_test and bottom in per_test:
            value = per_test[top] / per_test[bottom]
            print(f"{label:48} {value:7.3f} {verdict(value, target)}".rstrip())
    for who, (on, off) in FIXED.items():
        if on in totals and off in totals:
            fixed = (totals[on] - totals[off]) / 1e6
            target = FIXED_TARGET / 1e6 if who == "ours" else None
            label = f"fixed cost, {who}, M instr (on - off)"
            print(f"{label:48} {fixed:7.1f} {verdict(fixed, target)}".rstrip())

    rows = [
        name.removeprefix("ours: ")
        for name in per_test
        if name.startswith("ours: ") and name.replace("ours:", "ref:") in per_test
    ]
    if rows:
        print(f"\n{'ours / pytest-asyncio, per test':48} {'instr':>7} {'cpu':>7}")
        for kind in rows:
            instr = per_test[f"ours: {kind}"] / per_test[f"ref: {kind}"]
            time = cpu[f"ours: {kind}"] / cpu[f"ref: {kind}"]
            print(f"{kind:48} {instr:7.3f} {time:7.3f}")


if __name__ == "__main__":
    main()
