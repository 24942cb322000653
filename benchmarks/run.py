"""Per-test overhead of pytest-asyncio-ng, side by side with pytest's floor and pytest-asyncio.

Usage: ``make bench`` or ``python benchmarks/run.py [-n 3000] [--repeat 5] [--no-reference]``.

Suites are generated in a temporary directory. Each is run in a fresh ``python -m pytest``
subprocess, the scenarios interleaved round by round, and the median wall time of the rounds is
reported with the peak RSS of the process. Two virtual environments are made next to the
repository on first use, so that no other pytest plugin weighs on the numbers:

- ``.venv-bench-ng``: pytest and this plugin (the floors run here with ``-p no:asyncio``);
- ``.venv-bench-ref``: the same pytest and the newest pytest-asyncio.

The same async suites also run under MINIMAL_CONFTEST (below), the least any asyncio plugin
does, to show how much of the gap to the sync floor asyncio itself takes.

A last scenario runs 10,000 function-loop tests and reports the growth of RSS and of open file
descriptors between test 1,000 and the last test.

With ``--instructions`` (needs valgrind), each scenario of ours, the floors and the minimal
runner also runs once under callgrind, and the same ratios are printed in instructions
executed: a count that does not vary with the load of the machine, unlike time. It leaves out
what instructions do not show (system calls, cache misses). The targets are checked in
instructions per test by ``instructions.py``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NG_VENV = ROOT / ".venv-bench-ng"
REF_VENV = ROOT / ".venv-bench-ref"

SYNC = "def test_{i}():\n    pass\n"
SYNC_FIXTURE_HEAD = "import pytest\n\n@pytest.fixture\ndef value():\n    yield 1\n\n"
SYNC_FIXTURE = "def test_{i}(value):\n    assert value == 1\n"
ASYNC_HEAD = "import pytest\n\n"
ASYNC = "@pytest.mark.asyncio\nasync def test_{i}():\n    pass\n"
SESSION_HEAD = 'import pytest\n\npytestmark = pytest.mark.asyncio(loop_scope="session")\n\n'
SESSION = "async def test_{i}():\n    pass\n"
ASYNC_FIXTURE_HEAD = (
    "import pytest\nimport pytest_asyncio\n\n"
    "@pytest_asyncio.fixture\nasync def value():\n    yield 1\n\n"
)
ASYNC_FIXTURE = "@pytest.mark.asyncio\nasync def test_{i}(value):\n    assert value == 1\n"
TASKS_HEAD = "import asyncio\nimport pytest\n\n"
#: A test that does a little of what the checks watch: tasks, coroutines, callbacks.
TASKS = (
    "@pytest.mark.asyncio\nasync def test_{i}():\n"
    "    await asyncio.gather(*(asyncio.sleep(0) for _ in range(10)))\n"
)
#: A test that yields to the loop once: the suite run on the real and on the virtual clock.
YIELD = "@pytest.mark.asyncio\nasync def test_{i}():\n    await asyncio.sleep(0)\n"

# The least any asyncio plugin does: a new loop per test (one for the session when the mark,
# or for an unmarked test the ini, says so), run_until_complete for the test and each step of an
# async generator fixture, then close. Every coroutine test runs, marked or not, so the suites
# of auto mode run too (their ini keys are registered, to be read without a warning). No checks
# and no features: its suites give the floor that asyncio itself sets.
MINIMAL_CONFTEST = """
import asyncio, inspect, pytest

SESSION_LOOP = []
DEFAULT_SCOPE = ["function"]

def pytest_addoption(parser):
    parser.addini("asyncio_mode", "read by the plugin only: every coroutine test runs here")
    parser.addini("asyncio_default_test_loop_scope", "loop scope of unmarked tests")

def pytest_configure(config):
    config.addinivalue_line("markers", "asyncio: run on asyncio")
    DEFAULT_SCOPE[0] = config.getini("asyncio_default_test_loop_scope") or "function"

def _loop_for(item):
    mark = item.get_closest_marker("asyncio")
    scope = None if mark is None else mark.kwargs.get("loop_scope")
    if (scope or DEFAULT_SCOPE[0]) == "session":
        if not SESSION_LOOP:
            SESSION_LOOP.append(asyncio.new_event_loop())
        return SESSION_LOOP[0]
    loop = getattr(item, "bench_loop", None)
    if loop is None:
        loop = item.bench_loop = asyncio.new_event_loop()
        item.addfinalizer(loop.close)
    return loop

@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    function = fixturedef.func
    if not inspect.isasyncgenfunction(function):
        return (yield)
    loop = _loop_for(request._pyfuncitem)

    def setup(**kwargs):
        steps = function(**kwargs)
        yield loop.run_until_complete(steps.__anext__())
        try:
            loop.run_until_complete(steps.__anext__())
        except StopAsyncIteration:
            pass

    fixturedef.func = setup
    try:
        return (yield)
    finally:
        fixturedef.func = function

@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        funcargs = pyfuncitem.funcargs
        kwargs = {name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        _loop_for(pyfuncitem).run_until_complete(pyfuncitem.obj(**kwargs))
        return True

def pytest_sessionfinish():
    for loop in SESSION_LOOP:
        loop.close()
"""

# Samples RSS and open descriptors after test 1,000 and after the last test.
MEMORY_CONFTEST = """
import json, os, resource
SAMPLES = {}
COUNT = [0]

def _sample():
    with open("/proc/self/statm") as statm:
        rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return {"rss": rss, "fds": len(os.listdir("/proc/self/fd"))}

def pytest_runtest_logfinish(nodeid, location):
    COUNT[0] += 1
    if COUNT[0] == 1000:
        SAMPLES["at_1000"] = _sample()

def pytest_sessionfinish(session):
    SAMPLES["at_end"] = _sample()
    SAMPLES["tests"] = COUNT[0]
    with open(os.environ["BENCH_MEMORY_OUT"], "w") as out:
        json.dump(SAMPLES, out)
"""


@dataclass
class Scenario:
    name: str
    venv: Path
    suite: str
    args: tuple[str, ...] = ()
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


#: The help of the scripts' ``-k``.
PICK_HELP = (
    'only the scenarios with this text at the start of a word of their name ("sync" is not "async")'
)


def picked(text: str | None, name: str) -> bool:
    """Whether ``-k`` *text* picks the scenario *name*: no text, or the text where a word of the
    name starts."""
    return text is None or re.search(r"(?<!\w)" + re.escape(text), name) is not None


def make_suite(directory: Path, head: str, body: str, n: int, ini: str = "[pytest]\n") -> Path:
    directory.mkdir(parents=True)
    (directory / "pytest.ini").write_text(ini)
    per_module = 500  # realistic module sizes; also keeps files small
    for start in range(0, n, per_module):
        lines = [head] + [body.format(i=i) for i in range(start, min(n, start + per_module))]
        (directory / f"test_{start:06d}.py").write_text("\n".join(lines))
    return directory


def with_minimal_runner(suite: Path, directory: Path) -> Path:
    """A copy of *suite* run by MINIMAL_CONFTEST (with ``-p no:asyncio``)."""
    shutil.copytree(suite, directory)
    (directory / "conftest.py").write_text(MINIMAL_CONFTEST)
    return directory


def ensure_venv(venv: Path, requirements: list[str], *, reinstall: bool = False) -> None:
    """*venv* with *requirements* installed; made again if they changed, or if *reinstall*."""
    stamp = venv / ".bench-installed"
    wanted = "\n".join(requirements)
    if not reinstall and stamp.exists() and stamp.read_text() == wanted:
        return
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *requirements], check=True)
    stamp.write_text(wanted)


def pytest_version(venv: Path) -> str:
    return distribution_version(venv, "pytest")


def distribution_version(venv: Path, name: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({name!r}))"
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def bench_env() -> dict[str, str]:
    """The environment of the runs: no PYTEST* variable, and bytecode caches written and read
    (as users run)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


RUNNER = (
    "import resource, sys, pytest\n"
    "code = pytest.main(sys.argv[1:])\n"
    "sys.stderr.write(f'BENCH-RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)


def pytest_command(scenario: Scenario) -> list[str]:
    python = str(scenario.venv / "bin" / "python")
    return [python, "-c", RUNNER, "-q", "-p", "no:cacheprovider", *scenario.args]


def run_once(scenario: Scenario, env: dict[str, str]) -> None:
    command = pytest_command(scenario)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=scenario.suite, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"{scenario.name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    scenario.times.append(elapsed)
    scenario.cpu.append(cpu)
    for line in done.stderr.splitlines():
        if line.startswith("BENCH-RSS "):
            scenario.rss.append(int(line.split()[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="tests per suite (default 3000)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--no-reference", action="store_true", help="skip pytest-asyncio")
    parser.add_argument("--no-memory", action="store_true", help="skip the 10,000-test run")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions under valgrind (slow: about a minute per scenario)",
    )
    options = parser.parse_args()
    if options.instructions and shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind on PATH")

    ensure_venv(NG_VENV, ["pytest", "-e", str(ROOT)])  # editable: always the current code
    version = pytest_version(NG_VENV)
    if not options.no_reference:
        ensure_venv(REF_VENV, [f"pytest=={version}", "pytest-asyncio"])
    env = bench_env()

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        base, n = Path(tmp), options.n
        suites = {
            "sync": make_suite(base / "sync", "", SYNC, n),
            "sync_fixture": make_suite(base / "sync_fixture", SYNC_FIXTURE_HEAD, SYNC_FIXTURE, n),
            "async": make_suite(base / "async", ASYNC_HEAD, ASYNC, n),
            "session": make_suite(base / "session", SESSION_HEAD, SESSION, n),
            "async_fixture": make_suite(
                base / "async_fixture", ASYNC_FIXTURE_HEAD, ASYNC_FIXTURE, n
            ),
            "tasks": make_suite(base / "tasks", TASKS_HEAD, TASKS, n),
        }
        for name in ("async", "session", "async_fixture"):
            suites[f"minimal_{name}"] = with_minimal_runner(suites[name], base / f"min_{name}")
        scenarios = scenario_list(suites, options.no_reference)
        for _ in range(options.repeat):
            for scenario in scenarios:
                run_once(scenario, env)
        memory = None if options.no_memory else measure_memory(base, env)
        counted = count_instructions(scenarios, env) if options.instructions else None
    report(scenarios, n, options.repeat, version, memory)
    if counted is not None:
        report_instructions(counted, n)


#: A limit no test reaches: what arming and disarming a deadline per job costs.
LIMIT = ("--asyncio-timeout=60",)
#: Every check on, in a suite where none finds anything (under callgrind every step is slow:
#: the threshold keeps the blocking check from failing them, and still times each one).
CHECKS = ("--asyncio-checks=all", "--asyncio-blocking-threshold=60")
#: The cost of a feature: (scenario with it on, the same with it off).
FEATURES = [
    ("ours: async, limit set", "ours: async, function loop"),
    ("ours: async, checks all", "ours: async, function loop"),
    ("ours: async + async fixture, checks all", "ours: async + async fixture"),
    ("ours: 10 tasks, checks all", "ours: 10 tasks"),
]


def scenario_list(suites: dict[str, Path], no_reference: bool) -> list[Scenario]:
    off = ("-p", "no:asyncio")
    collect = ("--collect-only",)
    scenarios = [
        Scenario("floor: sync", NG_VENV, str(suites["sync"]), off),
        Scenario("floor: sync + fixture", NG_VENV, str(suites["sync_fixture"]), off),
        Scenario("floor: collect sync", NG_VENV, str(suites["sync"]), (*off, *collect)),
        Scenario("minimal: async, function loop", NG_VENV, str(suites["minimal_async"]), off),
        Scenario("minimal: async, session loop", NG_VENV, str(suites["minimal_session"]), off),
        Scenario(
            "minimal: async + async fixture", NG_VENV, str(suites["minimal_async_fixture"]), off
        ),
        Scenario("ours: sync", NG_VENV, str(suites["sync"])),
        Scenario("ours: async, function loop", NG_VENV, str(suites["async"])),
        Scenario("ours: async, session loop", NG_VENV, str(suites["session"])),
        Scenario("ours: async + async fixture", NG_VENV, str(suites["async_fixture"])),
        Scenario("ours: collect async", NG_VENV, str(suites["async"]), collect),
        Scenario("ours: async, limit set", NG_VENV, str(suites["async"]), LIMIT),
        Scenario("ours: async, checks all", NG_VENV, str(suites["async"]), CHECKS),
        Scenario(
            "ours: async + async fixture, checks all",
            NG_VENV,
            str(suites["async_fixture"]),
            CHECKS,
        ),
        Scenario("ours: 10 tasks", NG_VENV, str(suites["tasks"])),
        Scenario("ours: 10 tasks, checks all", NG_VENV, str(suites["tasks"]), CHECKS),
    ]
    if not no_reference:
        scenarios += [
            Scenario("ref: async, function loop", REF_VENV, str(suites["async"])),
            Scenario("ref: async, session loop", REF_VENV, str(suites["session"])),
            Scenario("ref: async + async fixture", REF_VENV, str(suites["async_fixture"])),
            Scenario("ref: collect async", REF_VENV, str(suites["async"]), collect),
        ]
    return scenarios


def measure_memory(base: Path, env: dict[str, str]) -> dict[str, int]:
    suite = make_suite(base / "memory", ASYNC_HEAD, ASYNC, 10_000)
    (suite / "conftest.py").write_text(MEMORY_CONFTEST)
    out = base / "memory.json"
    scenario = Scenario("memory", NG_VENV, str(suite))
    run_once(scenario, {**env, "BENCH_MEMORY_OUT": str(out)})
    samples = json.loads(out.read_text())
    first: dict[str, int] = samples["at_1000"]
    last: dict[str, int] = samples["at_end"]
    return {
        "tests": int(samples["tests"]),
        "rss_growth": last["rss"] - first["rss"],
        "fds_at_1000": first["fds"],
        "fds_at_end": last["fds"],
    }


def count_instructions(scenarios: list[Scenario], env: dict[str, str]) -> dict[str, int]:
    """Instructions executed by one run of each scenario of ours, the floors and the minimal
    runner, under callgrind; as many at once as there are cores. The timed rounds ran first,
    so bytecode caches are warm."""
    counted = [scenario for scenario in scenarios if not scenario.name.startswith("ref:")]
    fixed_env = {**env, "PYTHONHASHSEED": "0"}  # same dict layouts, same count, every run

    def count(scenario: Scenario) -> int:
        callgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        command = [*callgrind, *pytest_command(scenario)]
        done = subprocess.run(
            command, cwd=scenario.suite, env=fixed_env, capture_output=True, text=True
        )
        found = re.search(r"Collected : (\d+)", done.stderr)
        if done.returncode != 0 or found is None:
            sys.exit(f"{scenario.name} failed under valgrind:\n{done.stderr[-2000:]}")
        return int(found.group(1))

    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        return dict(zip([s.name for s in counted], pool.map(count, counted), strict=True))


def report_instructions(counted: dict[str, int], n: int) -> None:
    print("\nInstructions executed (callgrind, one run each).")
    print(f"{'scenario':32} {'G instr':>8} {'k instr/test':>13}")
    for name, total in counted.items():
        print(f"{name:32} {total / 1e9:8.3f} {total / n / 1e3:13.0f}")
    print(f"\n{'ratio':64} {'instr':>6}")
    for ours, floor in RATIOS:
        ratio = counted[ours] / counted[floor]
        print(f"{ours + ' / ' + floor:64} {ratio:6.3f}")
    for ours, floor in RATIOS[:3]:
        minimal = ours.replace("ours:", "minimal:")
        print(f"{minimal + ' / ' + floor:64} {counted[minimal] / counted[floor]:6.3f}")
        print(f"{ours + ' / ' + minimal:64} {counted[ours] / counted[minimal]:6.3f}")
    for on, off in FEATURES:
        if on in counted and off in counted:
            print(f"{on + ' / ' + off:64} {counted[on] / counted[off]:6.3f}")


#: Time ratios, printed without targets: the targets are set in instructions per test against
#: asyncio's minimal runner (instructions.py), which time cannot resolve on shared machines.
RATIOS: list[tuple[str, str]] = [
    ("ours: async, function loop", "floor: sync"),
    ("ours: async, session loop", "floor: sync"),
    ("ours: async + async fixture", "floor: sync + fixture"),
    ("ours: sync", "floor: sync"),
    ("ours: collect async", "floor: collect sync"),
]


def report(
    scenarios: list[Scenario],
    n: int,
    repeat: int,
    version: str,
    memory: dict[str, int] | None,
) -> None:
    by_name = {scenario.name: scenario for scenario in scenarios}
    print(f"\nN = {n} tests per suite, {repeat} interleaved rounds, medians")
    print(
        f"python {platform.python_version()}, pytest {version}, {platform.machine()}, "
        f"{os.cpu_count()} cores\n"
    )
    print(f"{'scenario':32} {'wall s':>8} {'cpu s':>8} {'cpu µs/test':>12} {'peak RSS MB':>12}")
    for scenario in scenarios:
        per_test = scenario.median_cpu / n * 1e6
        rss = max(scenario.rss) / 1024 if scenario.rss else float("nan")
        print(
            f"{scenario.name:32} {scenario.median:8.3f} {scenario.median_cpu:8.3f} "
            f"{per_test:12.0f} {rss:12.1f}"
        )
    print("\nRatios of medians, wall clock and CPU time (user + system) of the pytest process.")
    print(f"{'ratio':64} {'wall':>6} {'cpu':>6}")

    def ratio(numerator: str, denominator: str) -> tuple[float, float]:
        top, bottom = by_name[numerator], by_name[denominator]
        return top.median / bottom.median, top.median_cpu / bottom.median_cpu

    for ours, floor in RATIOS:
        wall, cpu = ratio(ours, floor)
        print(f"{ours + ' / ' + floor:64} {wall:6.3f} {cpu:6.3f}")
    print("\nThe floor asyncio sets (MINIMAL_CONFTEST), and what we add to it.")
    for ours, floor in RATIOS[:3]:
        minimal = ours.replace("ours:", "minimal:")
        wall, cpu = ratio(minimal, floor)
        print(f"{minimal + ' / ' + floor:64} {wall:6.3f} {cpu:6.3f}")
        wall, cpu = ratio(ours, minimal)
        print(f"{ours + ' / ' + minimal:64} {wall:6.3f} {cpu:6.3f}")
    for on, off in FEATURES:
        wall, cpu = ratio(on, off)
        print(f"{on + ' / ' + off:64} {wall:6.3f} {cpu:6.3f}")
    print()
    for kind in (
        "async, function loop",
        "async, session loop",
        "async + async fixture",
        "collect async",
    ):
        if f"ref: {kind}" in by_name:
            wall, cpu = ratio(f"ours: {kind}", f"ref: {kind}")
            print(f"{'ours / pytest-asyncio: ' + kind:64} {wall:6.3f} {cpu:6.3f}")
    if memory is not None:
        print(
            f"\n{memory['tests']} function-loop tests: RSS grew "
            f"{memory['rss_growth'] / 2**20:.1f} MB from test 1,000 to the end; "
            f"open descriptors {memory['fds_at_1000']} -> {memory['fds_at_end']}"
        )


if __name__ == "__main__":
    main()
