"""Real time of tests that sleep for virtual hours: what the virtual clock costs per timer.

Usage: ``make bench`` (after ``run.py``) or
``python benchmarks/clock.py [--repeat 5] [--timers 10000] [--no-reference]``.

Two tests, each run on virtual time (``@pytest.mark.asyncio(clock="virtual")``):

- **timers**: 10,000 tasks sleep concurrently, each for a duration of its own (between 1 s
  and about 1 virtual hour, started in shuffled order); the test checks that they wake in the
  order of their durations. Every timer is a jump of the clock.
- **retry**: a retry helper with exponential backoff and full jitter retries an operation that
  fails (a connection refused, or a reply that never comes within its 5-second timeout) until
  1 virtual hour has passed, then gives up; the test checks that it gave up after the hour.

Each round runs both tests in a fresh ``python -m pytest`` process; the time reported is the
duration of the test's call phase as pytest measures it (``report.duration``): the test itself,
without starting pytest or setting the test's loop up. The minimum and the median of the rounds
are printed against the target (0.5 s).

With pytest-asyncio and looptime installed in a virtual environment of their own
(``.venv-bench-looptime``), the same tests also run under ``@pytest.mark.looptime``, the one
virtual-time plugin for asyncio before this one, for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import NG_VENV, ROOT, ensure_venv, pytest_version

LOOPTIME_VENV = ROOT / ".venv-bench-looptime"
#: Real seconds each test should take at most.
TARGET = 0.5

TESTS = '''
import asyncio
import random

import pytest

{marks}

TIMERS = {timers}
HOUR = 3600.0


async def test_timers():
    loop = asyncio.get_running_loop()
    start = loop.time()
    woken = []

    async def sleeper(index):
        await asyncio.sleep(1.0 + index * HOUR / TIMERS)
        woken.append(index)

    order = list(range(TIMERS))
    random.Random(12).shuffle(order)
    await asyncio.gather(*(sleeper(index) for index in order))
    assert woken == sorted(woken)
    assert loop.time() - start >= HOUR


class Unavailable(ConnectionError):
    pass


async def retry(operation, *, give_up_after, base=0.1, cap=60.0, rng=random):
    """Await operation() until it succeeds; after a failure, sleep a random time up to
    base * 2 ** attempt (at most cap) and try again, until give_up_after seconds passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + give_up_after
    attempt = 0
    while True:
        try:
            return await operation()
        except (ConnectionError, TimeoutError):
            left = deadline - loop.time()
            if left <= 0:
                raise
            backoff = rng.uniform(0, min(cap, base * 2**attempt))
            await asyncio.sleep(min(backoff, left))
            attempt += 1


async def test_retry():
    loop = asyncio.get_running_loop()
    start = loop.time()
    calls = 0

    async def flaky_request():
        nonlocal calls
        calls += 1
        if calls % 2:
            raise Unavailable("connection refused")
        await asyncio.wait_for(asyncio.Event().wait(), timeout=5)  # no reply

    with pytest.raises((ConnectionError, TimeoutError)):
        await retry(flaky_request, give_up_after=HOUR, rng=random.Random(7))
    assert HOUR <= loop.time() - start < HOUR + 60
    assert calls > 100
'''

OURS_MARKS = 'pytestmark = pytest.mark.asyncio(clock="virtual")'
LOOPTIME_MARKS = "pytestmark = [pytest.mark.asyncio, pytest.mark.looptime]"

# Writes the duration of each test's call phase to the file named by BENCH_CLOCK_OUT.
CONFTEST = """
import json, os

DURATIONS = {}

def pytest_runtest_logreport(report):
    if report.when == "call":
        DURATIONS[report.nodeid.rpartition("::")[2]] = report.duration

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_CLOCK_OUT"], "w") as out:
        json.dump(DURATIONS, out)
"""

NAMES = ("test_timers", "test_retry")


def make_suite(directory: Path, marks: str, timers: int) -> Path:
    directory.mkdir(parents=True)
    (directory / "pytest.ini").write_text("[pytest]\n")
    (directory / "conftest.py").write_text(CONFTEST)
    (directory / "test_clock.py").write_text(TESTS.format(marks=marks, timers=timers))
    return directory


def run_round(python: Path, suite: Path, out: Path, env: dict[str, str]) -> dict[str, float]:
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        command,
        cwd=suite,
        env={**env, "BENCH_CLOCK_OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        sys.exit(f"{suite.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    durations: dict[str, float] = json.loads(out.read_text())
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--timers", type=int, default=10_000, help="timers (default 10000)")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip pytest-asyncio with looptime"
    )
    options = parser.parse_args()

    ensure_venv(NG_VENV, ["pytest", "-e", str(ROOT)])  # the same environment as run.py's
    version = pytest_version(NG_VENV)
    flavours = {"ours": NG_VENV}
    if not options.no_reference:
        ensure_venv(LOOPTIME_VENV, [f"pytest=={version}", "pytest-asyncio", "looptime"])
        flavours["pytest-asyncio + looptime"] = LOOPTIME_VENV
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-clock-") as tmp:
        base = Path(tmp)
        suites = {
            "ours": make_suite(base / "ours", OURS_MARKS, options.timers),
            "pytest-asyncio + looptime": make_suite(
                base / "looptime", LOOPTIME_MARKS, options.timers
            ),
        }
        for _ in range(options.repeat):
            for flavour, venv in flavours.items():
                out = base / f"{flavour}.json".replace(" ", "")
                durations = run_round(venv / "bin" / "python", suites[flavour], out, env)
                for name in NAMES:
                    times.setdefault((flavour, name), []).append(durations[name])
    report(times, options, version)


def report(
    times: dict[tuple[str, str], list[float]], options: argparse.Namespace, version: str
) -> None:
    print(
        f"\nReal time of one test on virtual time: duration of its call phase, "
        f"{options.repeat} rounds (a fresh process each)"
    )
    print(
        f"python {platform.python_version()}, pytest {version}, {platform.machine()}, "
        f"{os.cpu_count()} cores\n"
    )
    labels = {
        "test_timers": f"{options.timers:,} concurrent sleep() timers",
        "test_retry": "retry with backoff for 1 virtual hour",
    }
    print(f"{'plugin':26} {'test':40} {'min s':>7} {'median s':>9} {'target':>7}")
    for (flavour, name), values in times.items():
        median = statistics.median(values)
        verdict = ("ok" if median < TARGET else "OVER") if flavour == "ours" else ""
        print(
            f"{flavour:26} {labels[name]:40} {min(values):7.3f} {median:9.3f} "
            f"{TARGET:7.2f} {verdict}"
        )


if __name__ == "__main__":
    main()
