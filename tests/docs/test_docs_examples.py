"""Every Python example in README.md and docs/*.md runs, as a suite of its own, and passes.

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
    assert {"README.md", "fixtures.md", "reference.md", "troubleshooting.md"} <= documented


def test_readme_links_every_doc() -> None:
    readme = (ROOT / "README.md").read_text()
    unlinked = [path.name for path in DOCS[1:] if f"](docs/{path.name})" not in readme]
    assert unlinked == []
