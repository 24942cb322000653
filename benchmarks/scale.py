"""Scale: whether the per-test cost, memory and open descriptors stay flat as suites grow.

Usage: ``python benchmarks/scale.py [--sizes 1000 10000 50000] [--no-instructions] [-k TEXT]``.

Four scenarios, the first three generated at every size, the last at the largest only (500
tests per module):

- async, function loop: ``@pytest.mark.asyncio`` tests, strict mode, a new loop per test;
- async, module fixture: every module has a module-scoped async generator fixture on the
  module's loop, used by every test of the module, the tests marked with
  ``loop_scope="module"``;
- sync, plugin off: the sync suite with ``-p no:asyncio``, pytest's own growth, against which
  the memory of the two async scenarios is judged;
- sync marked, plugin off: the same suite with ``@pytest.mark.asyncio`` on every test (the
  marker registered in the ini), memory only: what pytest itself keeps for a marked test (its
  reports copy the test's keywords), shown beside the target as a second reference.

Instructions (needs valgrind): each run is done once without valgrind to write bytecode caches,
then once under callgrind, one callgrind process at a time. The per-test cost is the slope
between two sizes, (count at the larger - count at the smaller) / (difference in tests), taken
between the first and second size and between the second and third; the target is a large
slope within 5% of the small one. Callgrind runs about 50 times slower than native: at the
default sizes that is about 40 minutes per scenario for the 50,000-test run alone, about
2 hours in all. ``--no-instructions`` skips callgrind; the CPU time of the uncounted runs is
still shown, but it is too noisy on a shared machine to judge flatness by.

Memory and descriptors: the largest suite of each scenario runs once more, without valgrind,
with a conftest that samples the resident set (``/proc/self/statm``) and the open descriptors
(``/proc/self/fd``) after test 1,000, after test 10,000 and at the end of the session. The RSS
growth from the last sample before the end (test 10,000 at the default sizes) to the end is
given per 10,000 tests; the target is ours no more than the sync floor's + 10%. Descriptors
must stay flat.

The plugin is installed, not editable, with pytest into ``.venv-bench-scale/`` next to the
repository (``--venv`` names another, for two runs at once); the working tree is reinstalled
on every run. Runs use ``PYTHONHASHSEED=0``, bytecode caches and ``-q -p no:cacheprovider``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from run import ASYNC, ASYNC_HEAD, PICK_HELP, ROOT, SYNC, make_suite, picked

#: The sync suite's tests, marked as the async suites' are.
SYNC_MARKED = "@pytest.mark.asyncio\ndef test_{i}():\n    pass\n"
MARKED_INI = "[pytest]\nmarkers =\n    asyncio: run on asyncio\n"

VENV = ROOT / ".venv-bench-scale"

MODULE_FIXTURE_HEAD = (
    "import pytest\nimport pytest_asyncio\n\n"
    '@pytest_asyncio.fixture(scope="module", loop_scope="module")\n'
    "async def value():\n    yield 1\n\n"
)
MODULE_FIXTURE = (
    '@pytest.mark.asyncio(loop_scope="module")\nasync def test_{i}(value):\n    assert value == 1\n'
)

#: Samples RSS and open descriptors after the tests counted in BENCH_SCALE_AT and at the end.
SAMPLING_CONFTEST = """
import json, os

PAGE = os.sysconf("SC_PAGE_SIZE")
AT = {int(count) for count in os.environ["BENCH_SCALE_AT"].split(",")}
SAMPLES = []
DONE = [0]

def _sample(tests):
    with open("/proc/self/statm") as statm:
        rss = int(statm.read().split()[1]) * PAGE
    SAMPLES.append({"tests": tests, "rss": rss, "fds": len(os.listdir("/proc/self/fd"))})

def pytest_runtest_logfinish(nodeid, location):
    DONE[0] += 1
    if DONE[0] in AT:
        _sample(DONE[0])

def pytest_sessionfinish(session):
    _sample(DONE[0])
    with open(os.environ["BENCH_SCALE_OUT"], "w") as out:
        json.dump(SAMPLES, out)
"""

OFF = ("-p", "no:asyncio")
#: Where the sampling conftest looks (when the suite is larger).
SAMPLE_AT = (1000, 10_000)
#: Targets: large slope / small slope; RSS growth of ours / the sync floor's.
SLOPE_TARGET = 1.05
RSS_TARGET = 1.10


@dataclass
class Scenario:
    name: str
    head: str
    body: str
    args: tuple[str, ...] = ()
    ini: str = "[pytest]\n"
    #: "floor" (the target's reference), "marked floor" (a second reference), or "" (ours)
    role: str = ""
    #: only the memory run of the largest suite (no CPU time, no instructions)
    memory_only: bool = False
    #: per size: instructions, CPU seconds of the uncounted run
    instructions: dict[int, int] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)
    #: the sampling run of the largest suite: [{"tests", "rss", "fds"}, ...]
    samples: list[dict[str, int]] = field(default_factory=list)


SCENARIOS = [
    Scenario("async, function loop", ASYNC_HEAD, ASYNC),
    Scenario("async, module fixture", MODULE_FIXTURE_HEAD, MODULE_FIXTURE),
    Scenario("sync, plugin off", "", SYNC, OFF, role="floor"),
    Scenario(
        "sync marked, plugin off",
        ASYNC_HEAD,
        SYNC_MARKED,
        OFF,
        MARKED_INI,
        role="marked floor",
        memory_only=True,
    ),
]


def install(venv: Path) -> Path:
    """The python of *venv*, with pytest and the working tree (not editable) freshly installed."""
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    if not (venv / ".bench-scale").exists():
        if venv.exists():
            shutil.rmtree(venv)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "pytest"], check=True)
        (venv / ".bench-scale").write_text("pytest\n")
    # A fresh copy of the working tree every run; setuptools builds in the source directory.
    with tempfile.TemporaryDirectory(prefix="scale-src-") as tmp:
        source = Path(tmp) / "src"
        ignore = shutil.ignore_patterns(".venv*", ".git", ".nox", "build", "*.egg-info", ".*cache")
        shutil.copytree(ROOT, source, ignore=ignore)
        subprocess.run([*pip, "--force-reinstall", "--no-deps", str(source)], check=True)
    return python


def command(python: Path, args: tuple[str, ...]) -> list[str]:
    return [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def run(cmd: list[str], suite: Path, env: dict[str, str]) -> tuple[str, float]:
    """Run *cmd* in *suite*; its stderr and CPU seconds (user + system). Exits on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=suite, env=env, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"failed in {suite}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stderr, cpu


def measure(
    scenario: Scenario,
    python: Path,
    base: Path,
    sizes: list[int],
    env: dict[str, str],
    instructions: bool,
) -> None:
    slug = re.sub(r"\W+", "-", scenario.name)
    for size in sizes[-1:] if scenario.memory_only else sizes:
        suite = make_suite(
            base / f"{slug}-{size}", scenario.head, scenario.body, size, scenario.ini
        )
        cmd = command(python, scenario.args)
        _, scenario.cpu[size] = run(cmd, suite, env)  # also writes the bytecode caches
        if instructions and not scenario.memory_only:
            callgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
            stderr, _ = run([*callgrind, *cmd], suite, env)
            found = re.search(r"Collected : (\d+)", stderr)
            if found is None:
                sys.exit(f"{scenario.name}, {size} tests: no count from callgrind:\n{stderr}")
            scenario.instructions[size] = int(found.group(1))
        progress(scenario, size)
        if size == sizes[-1]:
            sampled = base / f"{slug}-{size}-sampled"
            shutil.copytree(suite, sampled)
            (sampled / "conftest.py").write_text(SAMPLING_CONFTEST)
            out = base / f"{slug}.json"
            at = ",".join(str(count) for count in SAMPLE_AT)
            run(cmd, sampled, {**env, "BENCH_SCALE_AT": at, "BENCH_SCALE_OUT": str(out)})
            scenario.samples = json.loads(out.read_text())
        shutil.rmtree(suite)


def progress(scenario: Scenario, size: int) -> None:
    counted = scenario.instructions.get(size)
    detail = f", {counted / 1e9:.3f} G instr" if counted is not None else ""
    print(
        f"  {scenario.name}, {size:,} tests: {scenario.cpu[size]:.1f} s CPU{detail}",
        file=sys.stderr,
        flush=True,
    )


def rss_growth(samples: list[dict[str, int]]) -> tuple[int, float] | None:
    """The test count the growth is taken from and the RSS growth in bytes per 10,000 tests,
    from the last sample before the end to the end."""
    before = [sample for sample in samples[:-1] if sample["tests"] < samples[-1]["tests"]]
    if not before:
        return None
    start, end = before[-1], samples[-1]
    return start["tests"], (end["rss"] - start["rss"]) / (end["tests"] - start["tests"]) * 1e4


def short(size: int) -> str:
    """1000 as 1k, 1500 as 1500."""
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def report(scenarios: list[Scenario], sizes: list[int], pytest: str) -> None:
    print(
        f"\nScale: {', '.join(f'{size:,}' for size in sizes)} tests, 500 per module. "
        f"python {platform.python_version()}, pytest {pytest}, {platform.machine()}, "
        f"{os.cpu_count()} cores"
    )
    pairs = list(itertools.pairwise(sizes))
    head = "".join(f" {f'{short(a)}-{short(b)}':>10}" for a, b in pairs)
    counted = [s for s in scenarios if len(s.instructions) == len(sizes)]
    if counted:
        print(
            "\nInstructions per test (callgrind), slope between sizes; target: last / first "
            f"<= {SLOPE_TARGET:.2f}"
        )
        print(f"{'scenario':24}{head} {'ratio':>7} {'target':>7}")
        for scenario in counted:
            at = scenario.instructions
            slopes = [(at[b] - at[a]) / (b - a) for a, b in pairs]
            ratio = slopes[-1] / slopes[0]
            verdict = "ok" if ratio <= SLOPE_TARGET else "OVER"
            cells = "".join(f" {slope:10,.0f}" for slope in slopes)
            print(f"{scenario.name:24}{cells} {ratio:7.3f} {SLOPE_TARGET:7.2f} {verdict}")
    print("\nCPU µs per test, slope between sizes (one uncounted run each: noisy, no target)")
    print(f"{'scenario':24}{head}")
    for scenario in scenarios:
        if scenario.memory_only:
            continue
        cpu = scenario.cpu
        cells = "".join(f" {(cpu[b] - cpu[a]) / (b - a) * 1e6:10,.0f}" for a, b in pairs)
        print(f"{scenario.name:24}{cells}")
    floor = next((s for s in scenarios if s.role == "floor"), None)
    floor_growth = rss_growth(floor.samples) if floor is not None else None
    marked = next((s for s in scenarios if s.role == "marked floor"), None)
    marked_growth = rss_growth(marked.samples) if marked is not None else None
    print(
        f"\nMemory, {sizes[-1]:,} tests, no valgrind: RSS growth per 10,000 tests from test "
        f"N to the end (target: <= sync floor x {RSS_TARGET:.2f}); open descriptors "
        "at each sample (target: flat)"
    )
    print(
        f"{'scenario':24} {'from N':>7} {'MB/10k':>7} {'/ floor':>8} {'target':>7}{'':5} "
        f"{'/ marked':>8}  fds"
    )
    for scenario in scenarios:
        growth = rss_growth(scenario.samples)
        if growth is None:
            continue
        since, per_10k = growth
        fds = [sample["fds"] for sample in scenario.samples]
        fd_cells = " -> ".join(f"{s['fds']}@{s['tests']:,}" for s in scenario.samples)
        fd_verdict = "ok" if len(set(fds)) == 1 else "OVER"
        line = f"{scenario.name:24} {since:7,} {per_10k / 2**20:7.2f}"
        if scenario.role or floor_growth is None:
            line += f" {'':8} {'':7}{'':5}"
        else:
            ratio = per_10k / floor_growth[1] if floor_growth[1] > 0 else float("inf")
            verdict = "ok" if per_10k <= floor_growth[1] * RSS_TARGET else "OVER"
            line += f" {ratio:8.3f} {RSS_TARGET:7.2f} {verdict:4}"
        if scenario.role or marked_growth is None or marked_growth[1] <= 0:
            line += f" {'':8}"
        else:
            line += f" {per_10k / marked_growth[1]:8.3f}"
        print(f"{line}  {fd_cells}  {fd_verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Callgrind is about 50x slower than native: with the default sizes, counting "
        "instructions takes about 40 minutes per scenario for the 50,000-test run alone. "
        "Use --no-instructions for memory, descriptors and CPU time only (minutes).",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs=3,
        default=[1000, 10_000, 50_000],
        metavar="N",
        help="three suite sizes, in tests (default 1000 10000 50000)",
    )
    parser.add_argument(
        "--no-instructions",
        action="store_true",
        help="skip callgrind (at the default sizes it takes about 40 min per scenario)",
    )
    parser.add_argument("-k", dest="only", metavar="TEXT", help=PICK_HELP)
    parser.add_argument(
        "--venv",
        type=Path,
        default=VENV,
        help="the virtual environment to (re)install into, e.g. for two runs at once "
        "(default .venv-bench-scale)",
    )
    options = parser.parse_args()
    sizes = sorted(set(options.sizes))
    if len(sizes) != 3 or sizes[0] < 1:
        sys.exit("--sizes needs three distinct positive sizes")
    instructions = not options.no_instructions
    if instructions and shutil.which("valgrind") is None:
        sys.exit("counting instructions needs valgrind on PATH (or --no-instructions)")
    scenarios = [s for s in SCENARIOS if picked(options.only, s.name)]
    if not scenarios:
        sys.exit(f"no scenario matches {options.only!r}")
    python = install(options.venv.resolve())
    pytest = subprocess.run(
        [str(python), "-c", "import pytest; print(pytest.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as users run: with bytecode caches
    env["PYTHONHASHSEED"] = "0"  # same dict layouts, same count, every run
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        for scenario in scenarios:
            measure(scenario, python, Path(tmp), sizes, env, instructions)
    report(scenarios, sizes, pytest)


if __name__ == "__main__":
    main()
