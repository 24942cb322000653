# pytest-asyncio-ng's install check: the pytest11 entry point ``_asyncio_ng_guard``, loaded
# before the plugin's, which stops the run when this environment mixes pytest-asyncio-ng with
# pytest-asyncio (see ``_report`` for why that breaks both, and for the messages).
#
# This package is the one thing pytest-asyncio-ng installs outside ``pytest_asyncio``, whose
# files pytest-asyncio installs too: it is still there, and still ours, when those files are
# pytest-asyncio's or gone. So it imports nothing from ``pytest_asyncio``.
#
# It is not the plugin: ``-p no:asyncio`` turns the plugin off for a run but leaves the
# environment as broken as it was, so it does not silence this check;
# ``-p no:_asyncio_ng_guard`` does.
#
# It runs in every pytest run, so this module does the least it can: it looks for
# pytest-asyncio's metadata in the names of each sys.path directory (as the import system has
# listed them already, when it has) and stats the shared files, and imports ``_report``, which
# looks closer and words the message, only when something is off. Comments rather than
# docstrings: pytest loads a plugin's modules through its assertion rewriting hook, which
# unmarshals the cached code at about 180 instructions a byte.
"""pytest-asyncio-ng's install check. PYTEST_DONT_REWRITE"""

import os
import sys

import pytest

# The package's files that pytest-asyncio installs too (``_version.py``: before 1.0).
SHARED_FILES = ("__init__.py", "plugin.py", "py.typed", "_version.py")
# In a directory's names, one a line: pytest-asyncio's metadata (``pytest_asyncio-1.5.0.
# dist-info``, ``-0.21.0-py3.11.egg-info``, or ``pytest_asyncio.egg-info`` in a checkout), ours.
_THEIRS = ("\npytest_asyncio-", "\npytest_asyncio.egg-info\n")
_OURS = "\npytest_asyncio_ng-"


def __dir__() -> list[str]:
    # pytest goes through every name dir() lists in each plugin module, in every run, for hooks
    # and fixtures (50 to 100 k instructions a name): the hook is the only one to find.
    return ["pytest_addhooks"]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    # pytest calls this once, when it registers the module: before it loads the plugin's entry
    # point, which may be pytest-asyncio's code or fail to import. pytester's in-process runs
    # register it again, so they check too.
    __tracebackhide__ = True
    if _suspicious(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))):
        from pytest_asyncio_ng_guard._report import problem

        message = problem()
        if message is not None:
            raise pytest.UsageError(message)


def _suspicious(site: str) -> bool:
    # pytest-asyncio's metadata on sys.path, or a shared file missing from the package next to
    # this one, or (in a regular install) written after our RECORD, the installer's last file.
    # A directory's names are those the import system listed already, when it has (its finder
    # keeps them, and lists again when the directory changes): reading a directory costs about
    # 1.5 k instructions a name.
    record = None
    for entry in sys.path:
        listed = getattr(sys.path_importer_cache.get(entry), "_path_cache", None)
        if not isinstance(listed, (set, frozenset)):
            try:
                listed = os.listdir(entry or os.curdir)
            except OSError:  # a zip file, a directory that is not there
                continue
        names = "\n" + "\n".join(listed) + "\n"
        if _THEIRS[0] in names or _THEIRS[1] in names:
            return True
        start = names.find(_OURS) + 1
        if start and os.path.abspath(entry or os.curdir) == site:
            record = os.path.join(site, names[start : names.index("\n", start)], "RECORD")
    package = os.path.join(site, "pytest_asyncio")
    try:
        newest = max(os.stat(os.path.join(package, name)).st_mtime_ns for name in SHARED_FILES)
    except OSError:
        return True
    try:
        return record is not None and newest > os.stat(record).st_mtime_ns
    except OSError:  # no RECORD: not installed from a wheel
        return False
