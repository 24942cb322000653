"""Instructions per test, as the slope between two suite sizes, for revisions side by side.

Usage: ``python benchmarks/slope.py [--sizes 1000 3000] REV [REV ...]`` (needs valgrind).

A total count mixes the per-test cost with the fixed cost of starting pytest and importing the
plugin. The slope, (count at the larger size - count at the smaller) / (difference in tests),
is the per-test cost alone: what a change to the per-test path adds or saves.

Each REV is a commit of this repository (a branch name, a hash) or ``.`` for the working tree.
It is installed, not editable, with pytest into a virtual environment of its own under
``.venv-slope/`` (kept between runs, keyed by the commit; the working tree is reinstalled every
time). Each scenario runs once without valgrind to write bytecode caches, then once under
callgrind at each size. A scenario a revision does not support (an unknown option) shows
``n/a``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import (
    ASYNC,
    ASYNC_FIXTURE,
    ASYNC_FIXTURE_HEAD,
    ASYNC_HEAD,
    PICK_HELP,
    ROOT,
    TASKS,
    TASKS_HEAD,
    YIELD,
    make_suite,
    picked,
)

VENVS = ROOT / ".venv-slope"

#: name, suite (head, body), extra pytest options
SCENARIOS: list[tuple[str, tuple[str, str], tuple[str, ...]]] = [
    ("async, function loop", (ASYNC_HEAD, ASYNC), ()),
    ("async + async fixture", (ASYNC_FIXTURE_HEAD, ASYNC_FIXTURE), ()),
    ("async, function loop, limit set", (ASYNC_HEAD, ASYNC), ("--asyncio-timeout=60",)),
    ("10 tasks", (TASKS_HEAD, TASKS), ()),
    (
        "async, function loop, checks all",
        (ASYNC_HEAD, ASYNC),
        ("--asyncio-checks=all", "--asyncio-blocking-threshold=60"),
    ),
    (
        "async + async fixture, checks all",
        (ASYNC_FIXTURE_HEAD, ASYNC_FIXTURE),
        ("--asyncio-checks=all", "--asyncio-blocking-threshold=60"),
    ),
    (
        "10 tasks, checks all",
        (TASKS_HEAD, TASKS),
        ("--asyncio-checks=all", "--asyncio-blocking-threshold=60"),
    ),
    ("sleep(0), real clock", (TASKS_HEAD, YIELD), ()),
    ("sleep(0), virtual clock", (TASKS_HEAD, YIELD), ("--asyncio-clock=virtual",)),
]


def install(rev: str) -> tuple[str, Path]:
    """A virtual environment with pytest and the plugin at *rev*; its label and python."""
    if rev == ".":
        label, source = "working tree", ROOT
        venv = VENVS / "worktree"
        if venv.exists():
            shutil.rmtree(venv)
    else:
        sha = subprocess.run(
            ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        label, venv = f"{rev} ({sha[:10]})", VENVS / sha[:12]
        if (venv / ".slope-installed").exists():
            return label, venv / "bin" / "python"
        source = Path(tempfile.mkdtemp(prefix="slope-src-"))
        archive = subprocess.run(
            ["git", "archive", sha], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "pytest", str(source)], check=True)
    (venv / ".slope-installed").write_text(rev)
    if source != ROOT:
        shutil.rmtree(source)
    return label, python


#: The options of every counted or timed run, before the scenario's own.
PYTEST_OPTIONS = ("-q", "-p", "no:cacheprovider")


def command(python: Path, options: tuple[str, ...]) -> list[str]:
    return [str(python), "-m", "pytest", *PYTEST_OPTIONS, *options]


#: Small objects allocated per layout step before pytest starts (see ``layout_command``).
LAYOUT_PAD = 211


def layout_command(python: Path, options: tuple[str, ...], layout: int) -> list[str]:
    """The run of ``command`` in interpreter layout *layout*: ``layout * LAYOUT_PAD`` small
    strings are allocated before pytest is imported, so every object after them (the interned
    names of pytest's and the plugin's code among them) sits at another address. Run it with
    ``PYTHONHASHSEED=<layout>`` too (``layout_env``)."""
    start = (
        f"import sys; _pad = [str(i) for i in range({layout * LAYOUT_PAD})]; import pytest; "
        "sys.exit(pytest.main())"
    )
    return [str(python), "-c", start, *PYTEST_OPTIONS, *options]


def layout_env(env: dict[str, str], layout: int) -> dict[str, str]:
    """*env* for a run in interpreter layout *layout*: its own string hashes."""
    return {**env, "PYTHONHASHSEED": str(layout)}


def count(
    python: Path,
    suite: Path,
    options: tuple[str, ...],
    env: dict[str, str],
    layout: int | None = None,
) -> int | None:
    """Instructions of one run under callgrind (in interpreter layout *layout*, if given);
    None if the run failed."""
    warm = subprocess.run(command(python, options), cwd=suite, env=env, capture_output=True)
    if warm.returncode != 0:
        return None
    if layout is not None:
        counted, env = layout_command(python, options, layout), layout_env(env, layout)
    else:
        counted = command(python, options)
    callgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    done = subprocess.run(
        [*callgrind, *counted], cwd=suite, env=env, capture_output=True, text=True
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"failed under valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revs", nargs="+", metavar="REV")
    parser.add_argument("--sizes", type=int, nargs=2, default=(1000, 3000))
    parser.add_argument("-k", dest="only", help=PICK_HELP)
    options = parser.parse_args()
    scenarios = [s for s in SCENARIOS if picked(options.only, s[0])]
    if shutil.which("valgrind") is None:
        sys.exit("slope.py needs valgrind on PATH")
    small, large = sorted(options.sizes)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONHASHSEED"] = "0"
    installed = [install(rev) for rev in options.revs]
    with tempfile.TemporaryDirectory(prefix="slope-") as tmp:
        jobs: list[tuple[Path, Path, tuple[str, ...]]] = []
        for index, (_, (head, body), extra) in enumerate(scenarios):
            for size in (small, large):
                suite = make_suite(Path(tmp) / f"{index}-{size}", head, body, size)
                for _, python in installed:
                    jobs.append((python, suite, extra))
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            counts = list(pool.map(lambda job: count(job[0], job[1], job[2], env), jobs))
    results = iter(counts)
    print(f"\nInstructions per test: slope between {small:,} and {large:,} tests (callgrind).")
    print(f"{'scenario':34}" + "".join(f" {label:>24}" for label, _ in installed))
    for name, _, _ in scenarios:
        at: dict[int, list[int | None]] = {}
        for size in (small, large):
            at[size] = [next(results) for _ in installed]
        cells = []
        for low, high in zip(at[small], at[large], strict=True):
            if low is None or high is None:
                cells.append("n/a")
            else:
                cells.append(f"{(high - low) / (large - small):,.0f}")
        print(f"{name:34}" + "".join(f" {cell:>24}" for cell in cells))


if __name__ == "__main__":
    main()
