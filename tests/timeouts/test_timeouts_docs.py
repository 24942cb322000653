"""docs/timeouts.md and docs/troubleshooting.md: each example report is the one its example
module produces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

DOC = Path(__file__).resolve().parents[2] / "docs" / "timeouts.md"
TROUBLESHOOTING = DOC.with_name("troubleshooting.md")


@pytest.mark.parametrize(("name", "example", "report"), [("test_hang", 0, 0), ("test_block", 1, 2)])
def test_the_documented_report_is_what_the_example_prints(
    pytester: pytest.Pytester, name: str, example: int, report: int
) -> None:
    """The *example*-th ``py`` block of the page, run as *name*.py, prints the *report*-th
    ``text`` block (the seconds a blocked loop took to answer vary: any will do)."""
    text = DOC.read_text()
    module = re.findall(r"```py\n(.*?)```", text, re.S)[example]
    expected = re.findall(r"```text\n(.*?)```", text, re.S)[report]
    expected = re.sub(r"\d+\.\d\d s after the limit", "* s after the limit", expected)
    pytester.makepyfile(**{name: module})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=60)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(expected.splitlines(), consecutive=True)


def test_the_troubleshooting_report_is_what_its_example_prints(pytester: pytest.Pytester) -> None:
    """docs/troubleshooting.md, "My test hangs": the report shown under the example module."""
    text = TROUBLESHOOTING.read_text()
    section = text[text.index("## My test hangs") :]
    (module,) = re.findall(r"```py\n(.*?)```", text, re.S)
    report = re.search(r"```py\n.*?```.*?```text\n(.*?)```", section, re.S)
    assert report is not None
    pytester.makepyfile(test_reply=module)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(report.group(1).splitlines(), consecutive=True)
