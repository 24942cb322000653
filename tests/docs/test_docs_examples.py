"""Every Python example in README.md and the docs site's pages (docs/*.md) runs, as a suite of
its own, and passes; every page is in the site's table of contents.

A block that starts with ``# conftest.py`` becomes the conftest of the next example; an
``<!-- ini: key=value ... -->`` comment sets the ini options of the next example.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"(?:<!-- ini: (?P<ini>[^>]*) -->\n)?```python\n(?P<code>.*?)```", re.S)
_TOCTREE = re.compile(r"```\{toctree\}\n(?P<body>.*?)```", re.S)
_README_LINK = re.compile(r"\]\((?P<target>docs/[^)#]*)")


def _examples() -> list[pytest.ParameterSet]:
    examples = []
    for path in DOCS:
        conftest = ""
        for number, match in enumerate(_BLOCK.finditer(path.read_text()), start=1):
            code = match["code"]
            if code.startswith("# conftest.py"):
                conftest = code
                continue
            if "def test_" not in code:
                continue
            ini = match["ini"] or ""
            name = f"{path.name}-{number}"
            examples.append(pytest.param(code, conftest, ini, id=name))
            conftest = ""
    return examples


def _unused_conftests() -> list[str]:
    """The docs with a ``# conftest.py`` block that no example after it runs with."""
    unused = []
    for path in DOCS:
        pending = False
        for match in _BLOCK.finditer(path.read_text()):
            if match["code"].startswith("# conftest.py"):
                if pending:
                    unused.append(path.name)
                pending = True
            elif "def test_" in match["code"]:
                pending = False
        if pending:
            unused.append(path.name)
    return unused


def _toctree_entries() -> set[str]:
    entries: set[str] = set()
    for path in DOCS[1:]:
        for match in _TOCTREE.finditer(path.read_text()):
            lines = match["body"].splitlines()
            entries.update(f"{line.strip()}.md" for line in lines if line and line[0] != ":")
    return entries


@pytest.mark.parametrize(("code", "conftest", "ini"), _examples())
def test_example_passes(pytester: pytest.Pytester, code: str, conftest: str, ini: str) -> None:
    options = dict(option.split("=", 1) for option in ini.split())
    pytester.makeini("[pytest]\n" + "".join(f"{k} = {v}\n" for k, v in options.items()))
    if conftest:
        pytester.makeconftest(conftest)
    pytester.makepyfile(test_example=code)
    result = pytester.runpytest("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) + outcomes.get("skipped", 0) >= 1, result.stdout.str()
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()


def test_every_doc_has_examples() -> None:
    documented = {str(param.id).rsplit("-", 1)[0] for param in _examples()}
    pages = {"index.md", "concepts.md", "loop-scopes.md", "fixtures.md", "loop-factories.md"}
    assert {"README.md", "reference.md", "troubleshooting.md", *pages} <= documented


def test_every_conftest_has_an_example_to_run_with() -> None:
    assert _unused_conftests() == []


def test_every_page_is_in_the_table_of_contents() -> None:
    pages = {path.name for path in DOCS[1:]} - {"index.md"}
    assert pages - _toctree_entries() == set()


def test_readme_links_to_pages_that_exist() -> None:
    targets = _README_LINK.findall((ROOT / "README.md").read_text())
    assert "docs/index.md" in targets
    assert [target for target in targets if not (ROOT / target).is_file()] == []
