"""Checks the built sdist and wheel (run by .ci/package): python check_dist.py DIST_DIR SRC_DIR.

The wheel holds every module under src/, py.typed and the license, and nothing else (no tests,
benchmarks, examples or docs); its entry points list the install check first; the sdist, the
wheel and src/pytest_asyncio/_version.py name one version; the metadata carries the
classifiers and project URLs a release needs.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

REQUIRED_CLASSIFIERS = {
    "Framework :: Pytest",
    "Framework :: AsyncIO",
    "Typing :: Typed",
    *(f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)),
}
REQUIRED_URLS = {"Homepage", "Documentation", "Source", "Issues", "Changelog"}
TOP_LEVEL = {"pytest_asyncio", "pytest_asyncio_ng_guard"}
ENTRY_POINTS = [
    "_asyncio_ng_guard = pytest_asyncio_ng_guard",
    "asyncio = pytest_asyncio.plugin",
]


def main(dist: Path, src: Path) -> list[str]:
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    version = re.search(
        r'__version__ = "([^"]+)"', (src / "pytest_asyncio/_version.py").read_text()
    )
    assert version is not None
    expected = version[1]
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"pytest_asyncio_ng-{expected}.dist-info"
        metadata = HeaderParser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode().split("\n")
    modules = {str(path.relative_to(src)) for path in src.rglob("*.py")}
    problems += [f"wheel lacks {name}" for name in sorted(modules - names)]
    problems += [
        f"wheel holds {name}, outside the packages"
        for name in sorted(names)
        if name.split("/")[0] not in TOP_LEVEL and not name.startswith(f"{info}/")
    ]
    problems += [
        f"wheel holds {name}, not from src/"
        for name in sorted(names)
        if name.endswith(".py") and name not in modules
    ]
    for needed in (
        "pytest_asyncio/py.typed",
        "pytest_asyncio_ng_guard/py.typed",
        f"{info}/licenses/LICENSE",
    ):
        if needed not in names:
            problems.append(f"wheel lacks {needed}")
    listed = [line for line in entry_points if " = " in line]
    if listed != ENTRY_POINTS:
        problems.append(f"entry points {listed}, expected {ENTRY_POINTS} in this order")
    if metadata["Version"] != expected:
        problems.append(f"wheel metadata version {metadata['Version']}, _version.py {expected}")
    if not wheel.name.startswith(f"pytest_asyncio_ng-{expected}-"):
        problems.append(f"wheel {wheel.name} does not carry version {expected}")
    problems += [
        f"classifier missing: {classifier}"
        for classifier in sorted(REQUIRED_CLASSIFIERS - set(metadata.get_all("Classifier", [])))
    ]
    urls = {value.split(",")[0] for value in metadata.get_all("Project-URL", [])}
    problems += [f"project URL missing: {name}" for name in sorted(REQUIRED_URLS - urls)]
    with tarfile.open(sdist) as archive:
        root = f"pytest_asyncio_ng-{expected}"
        sdist_names = set(archive.getnames())
        pkg_info = archive.extractfile(f"{root}/PKG-INFO")
        assert pkg_info is not None
        sdist_version = HeaderParser().parsestr(pkg_info.read().decode())["Version"]
    if sdist_version != expected:
        problems.append(f"sdist version {sdist_version}, _version.py {expected}")
    for needed in ("LICENSE", "README.md", "pyproject.toml"):
        if f"{root}/{needed}" not in sdist_names:
            problems.append(f"sdist lacks {needed}")
    problems += [
        f"sdist lacks src/{name}"
        for name in sorted(modules)
        if f"{root}/src/{name}" not in sdist_names
    ]
    print(f"{wheel.name}: {len(names)} files; {sdist.name}: {len(sdist_names)} entries")
    return problems


if __name__ == "__main__":
    found = main(Path(sys.argv[1]), Path(sys.argv[2]))
    for problem in found:
        print(f"check_dist: {problem}", file=sys.stderr)
    sys.exit(1 if found else 0)
