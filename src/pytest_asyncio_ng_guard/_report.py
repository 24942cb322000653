"""What is wrong with the install, and the message that says so and how to repair it.

Both pytest-asyncio-ng and pytest-asyncio install the ``pytest_asyncio`` package, into the same
files (``SHARED_FILES``). Whichever was installed last owns them: installed after
pytest-asyncio-ng, pytest-asyncio's code runs under both entry points; and uninstalling either
one deletes files the other needs, which leaves ``No module named 'pytest_asyncio.plugin'``.
The only repair is to uninstall both and install one again.

Imported only when the check in ``__init__`` finds something off (it may be a false alarm: a
file newer than our RECORD with the content RECORD lists). It imports nothing from
``pytest_asyncio``, whose files may be pytest-asyncio's, so the messages are defined here
rather than in ``pytest_asyncio._messages``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import json
import os
import shlex
import sys
from typing import Final
from urllib.parse import urlsplit
from urllib.request import url2pathname

from pytest_asyncio_ng_guard import SHARED_FILES

#: pytest-asyncio's distribution is on ``sys.path`` next to pytest-asyncio-ng.
BOTH_INSTALLED: Final = (
    "pytest-asyncio-ng: pytest-asyncio {version} is installed as well, in {location}. Both "
    "install the 'pytest_asyncio' package into the same files: the code that runs is that of "
    "whichever was installed last, and uninstalling either one deletes files the other needs."
)
#: No pytest-asyncio, but files of the package were deleted or replaced after pytest-asyncio-ng
#: was installed, as uninstalling pytest-asyncio next to it leaves them.
FILES_CHANGED: Final = (
    "pytest-asyncio-ng: files of its 'pytest_asyncio' package in {location} were deleted or "
    "replaced after it was installed: {files}. pytest-asyncio installs the same files: this "
    "happens when it is installed over pytest-asyncio-ng or uninstalled next to it."
)
#: Appended to either message, after a newline: commands that repair the environment, run
#: with the interpreter that runs pytest.
REPAIR: Final = (
    "To repair this environment, uninstall both, then install pytest-asyncio-ng again:\n"
    "    {python} -m pip uninstall -y pytest-asyncio pytest-asyncio-ng\n"
    "    {python} -m pip install {source}\n"
    "(or install pytest-asyncio in the second command, to keep pytest-asyncio instead)."
)
#: A shared file missing from the package, in FILES_CHANGED's list.
DELETED: Final = "{name} (deleted)"
#: A shared file whose content is not what pytest-asyncio-ng installed, in that list.
REPLACED: Final = "{name} (replaced)"
#: The version in BOTH_INSTALLED when pytest-asyncio's metadata names none (a checkout).
UNKNOWN_VERSION: Final = "(from a checkout)"

#: What to install again when pytest-asyncio-ng was not installed from a local wheel or
#: directory.
DISTRIBUTION: Final = "pytest-asyncio-ng"
_PACKAGE: Final = "pytest_asyncio"
_THEIRS: Final = "pytest_asyncio-"
_THEIRS_CHECKOUT: Final = "pytest_asyncio.egg-info"
_OURS: Final = "pytest_asyncio_ng-"
_METADATA_SUFFIXES: Final = (".dist-info", ".egg-info")


def problem() -> str | None:
    """The message that stops the run, or None when the install is sound after all."""
    site = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    reference = find_reference(sys.path)
    if reference is not None:
        location, name = reference
        cause = BOTH_INSTALLED.format(version=version_of(name), location=location)
    else:
        package = os.path.join(site, _PACKAGE)
        files = changed_files(package, own_record(site))
        if not files:
            return None
        cause = FILES_CHANGED.format(location=package, files=", ".join(files))
    return f"{cause}\n{repair(sys.executable, installed_from())}"


def find_reference(paths: list[str]) -> tuple[str, str] | None:
    """The first metadata directory of pytest-asyncio on *paths*: its directory and name."""
    for entry in paths:
        directory = entry or os.curdir
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if name.endswith(_METADATA_SUFFIXES) and (
                name.startswith(_THEIRS) or name == _THEIRS_CHECKOUT
            ):
                return os.path.abspath(directory), name
    return None


def version_of(name: str) -> str:
    """``1.5.0`` from ``pytest_asyncio-1.5.0.dist-info``, ``0.21.0`` from
    ``pytest_asyncio-0.21.0-py3.11.egg-info``; a checkout's egg-info names none."""
    stem = name.removeprefix(_THEIRS) if name.startswith(_THEIRS) else ""
    for suffix in _METADATA_SUFFIXES:
        stem = stem.removesuffix(suffix)
    return stem.split("-", 1)[0] or UNKNOWN_VERSION


def own_record(site: str) -> str | None:
    """Our RECORD, when our metadata is in *site* next to the package (a regular install; in
    an editable one the package is a checkout, whose files change all the time)."""
    try:
        names = sorted(os.listdir(site))
    except OSError:
        return None
    for name in names:
        if name.startswith(_OURS) and name.endswith(".dist-info"):
            record = os.path.join(site, name, "RECORD")
            return record if os.path.exists(record) else None
    return None


def changed_files(package: str, record: str | None) -> list[str]:
    """The shared files missing from *package*, then those whose content is not what *record*
    lists, among those written after it."""
    missing = [name for name in SHARED_FILES if not os.path.exists(os.path.join(package, name))]
    replaced: list[str] = []
    if record is not None:
        installed = os.stat(record).st_mtime_ns
        expected = _hashes(record)
        for name in SHARED_FILES:
            path = os.path.join(package, name)
            if name in missing or os.stat(path).st_mtime_ns <= installed:
                continue
            if expected.get(f"{_PACKAGE}/{name}") != _hash(path):
                replaced.append(name)
    return [DELETED.format(name=name) for name in missing] + [
        REPLACED.format(name=name) for name in replaced
    ]


def _hashes(record: str) -> dict[str, str]:
    with open(record, encoding="utf-8", newline="") as rows:
        return {row[0]: row[1] for row in csv.reader(rows) if len(row) >= 2}


def _hash(path: str) -> str:
    with open(path, "rb") as file:
        digest = hashlib.sha256(file.read()).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def repair(python: str, source: list[str]) -> str:
    """REPAIR for the interpreter *python*, installing pytest-asyncio-ng from *source* (pip's
    arguments)."""
    return REPAIR.format(python=shlex.quote(python or "python"), source=shlex.join(source))


def installed_from() -> list[str]:
    """What pytest-asyncio-ng was installed from, as pip's arguments: the local wheel or
    directory, when it was one and is still there (pip records it in direct_url.json); else
    its name."""
    try:
        text = importlib.metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        origin = json.loads(text or "null")
        url = urlsplit(origin["url"])
        editable = bool(origin.get("dir_info", {}).get("editable"))
    except (importlib.metadata.PackageNotFoundError, ValueError, LookupError, TypeError):
        return [DISTRIBUTION]
    except AttributeError:  # JSON, but not an object
        return [DISTRIBUTION]
    path = url2pathname(url.path)
    if url.scheme != "file" or not os.path.exists(path):
        return [DISTRIBUTION]
    return ["-e", path] if editable else [path]
