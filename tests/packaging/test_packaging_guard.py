"""The install check (``pytest_asyncio_ng_guard``): pytest-asyncio's metadata on sys.path, or
the shared files of the package deleted or replaced, stop the run with the commands that
repair the environment. Real installs, in both orders: test_packaging_install.py."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from pathlib import Path

import pytest

import pytest_asyncio_ng_guard
from pytest_asyncio_ng_guard import _report

SUITE = """
import pytest

@pytest.mark.asyncio
async def test_async():
    pass
"""


def test_messages() -> None:
    assert _report.BOTH_INSTALLED.format(version="1.5.0", location="/venv/site-packages") == (
        "pytest-asyncio-ng: pytest-asyncio 1.5.0 is installed as well, in /venv/site-packages. "
        "Both install the 'pytest_asyncio' package into the same files: the code that runs is "
        "that of whichever was installed last, and uninstalling either one deletes files the "
        "other needs."
    )
    assert _report.FILES_CHANGED.format(
        location="/venv/site-packages/pytest_asyncio", files="plugin.py (deleted)"
    ) == (
        "pytest-asyncio-ng: files of its 'pytest_asyncio' package in "
        "/venv/site-packages/pytest_asyncio were deleted or replaced after it was installed: "
        "plugin.py (deleted). pytest-asyncio installs the same files: this happens when it is "
        "installed over pytest-asyncio-ng or uninstalled next to it."
    )
    assert _report.repair("/venv/bin/python", ["pytest-asyncio-ng"]) == (
        "To repair this environment, uninstall both, then install pytest-asyncio-ng again:\n"
        "    /venv/bin/python -m pip uninstall -y pytest-asyncio pytest-asyncio-ng\n"
        "    /venv/bin/python -m pip install pytest-asyncio-ng\n"
        "(or install pytest-asyncio in the second command, to keep pytest-asyncio instead)."
    )
    assert _report.DELETED.format(name="plugin.py") == "plugin.py (deleted)"
    assert _report.REPLACED.format(name="plugin.py") == "plugin.py (replaced)"
    assert _report.UNKNOWN_VERSION == "(from a checkout)"


def test_repair_commands_quote_paths() -> None:
    text = _report.repair("/my venv/bin/python", ["-e", "/my checkout"])
    assert (
        "    '/my venv/bin/python' -m pip uninstall -y pytest-asyncio pytest-asyncio-ng\n" in text
    )
    assert "    '/my venv/bin/python' -m pip install -e '/my checkout'\n" in text


def _expected_both_installed(site: Path, version: str) -> str:
    cause = _report.BOTH_INSTALLED.format(version=version, location=site)
    return f"{cause}\n{_report.repair(sys.executable, _report.installed_from())}"


@pytest.mark.parametrize(
    ("metadata", "version"),
    [
        ("pytest_asyncio-1.5.0.dist-info", "1.5.0"),
        ("pytest_asyncio-0.21.0-py3.11.egg-info", "0.21.0"),
        ("pytest_asyncio.egg-info", "(from a checkout)"),
    ],
)
@pytest.mark.parametrize("args", [(), ("-p", "no:asyncio")], ids=["plugin on", "no:asyncio"])
def test_reference_metadata_stops_the_run(
    pytester: pytest.Pytester, metadata: str, version: str, args: tuple[str, ...]
) -> None:
    # -p no:asyncio turns the plugin off, not the check: the environment is broken either way.
    site = pytester.mkdir("site")
    (site / metadata).mkdir()
    pytester.syspathinsert(site)
    pytester.makepyfile(test_never_runs=SUITE)
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().startswith(f"ERROR: {_expected_both_installed(site, version)}")
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    assert "test_never_runs" not in output


def test_the_check_can_be_turned_off(pytester: pytest.Pytester) -> None:
    site = pytester.mkdir("site")
    (site / "pytest_asyncio-1.5.0.dist-info").mkdir()
    pytester.syspathinsert(site)
    pytester.makepyfile(SUITE)
    result = pytester.runpytest("-p", "no:_asyncio_ng_guard")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["asyncio: mode=strict*"])


def test_names_that_only_look_alike_do_not_stop_the_run(pytester: pytest.Pytester) -> None:
    site = pytester.mkdir("site")
    for name in ("pytest_asyncio_ng-9.dist-info", "pytest_asyncio_cooperative-1.dist-info"):
        (site / name).mkdir()
    pytester.syspathinsert(site)
    pytester.makepyfile(SUITE)
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_module_lists_only_its_hook() -> None:
    # pytest looks at every name a plugin module lists, in every run.
    assert dir(pytest_asyncio_ng_guard) == ["pytest_addhooks"]


# --- the shared files, in a fake regular install -------------------------------------------


def _record_line(package: Path, name: str) -> str:
    digest = hashlib.sha256((package / name).read_bytes()).digest()
    encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return f"pytest_asyncio/{name},sha256={encoded},{(package / name).stat().st_size}\n"


@pytest.fixture
def installed(tmp_path: Path) -> tuple[Path, Path]:
    """A site directory with the shared files and a RECORD written after them, as pip leaves
    a regular install: the package and the RECORD."""
    package = tmp_path / "pytest_asyncio"
    package.mkdir()
    for name in pytest_asyncio_ng_guard.SHARED_FILES:
        (package / name).write_text(f"# ours: {name}\n", encoding="utf-8")
    record = tmp_path / "pytest_asyncio_ng-1.0.dist-info" / "RECORD"
    record.parent.mkdir()
    lines = [_record_line(package, name) for name in pytest_asyncio_ng_guard.SHARED_FILES]
    record.write_text("".join(lines), encoding="utf-8")
    older = record.stat().st_mtime_ns - 10**9
    for name in pytest_asyncio_ng_guard.SHARED_FILES:
        os.utime(package / name, ns=(older, older))
    return package, record


def _later(path: Path, record: Path) -> None:
    later = record.stat().st_mtime_ns + 10**9
    os.utime(path, ns=(later, later))


def test_an_intact_install_is_sound(installed: tuple[Path, Path]) -> None:
    package, record = installed
    assert _report.own_record(str(package.parent)) == str(record)
    assert _report.changed_files(str(package), str(record)) == []


def test_deleted_and_replaced_files(installed: tuple[Path, Path]) -> None:
    package, record = installed
    (package / "plugin.py").unlink()
    (package / "py.typed").unlink()
    (package / "__init__.py").write_text("# theirs\n", encoding="utf-8")
    _later(package / "__init__.py", record)
    assert _report.changed_files(str(package), str(record)) == [
        "plugin.py (deleted)",
        "py.typed (deleted)",
        "__init__.py (replaced)",
    ]


def test_a_file_written_again_with_the_same_content_is_ours(
    installed: tuple[Path, Path],
) -> None:
    package, record = installed
    _later(package / "plugin.py", record)
    assert _report.changed_files(str(package), str(record)) == []


def test_without_a_record_only_deleted_files_count(installed: tuple[Path, Path]) -> None:
    # An editable install: the package is a checkout, edited all the time.
    package, record = installed
    (package / "__init__.py").write_text("# edited\n", encoding="utf-8")
    _later(package / "__init__.py", record)
    (package / "_version.py").unlink()
    assert _report.changed_files(str(package), None) == ["_version.py (deleted)"]
