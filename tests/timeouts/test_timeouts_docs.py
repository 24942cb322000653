"""docs/timeouts.md and docs/troubleshooting.md: each example report is the one its example
module produces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

DOC = Path(__file__).resolve().parents[2] / "docs" / "timeouts.md"
TROUBLESHOOTING = DOC.with_name("troubleshooting.md")


def test_the_documented_report_is_what_the_example_prints(pytester: pytest.Pytester) -> None:
    text = DOC.read_text()
    (module,) = re.findall(r"```py\n(.*?)```", text, re.S)
    (report,) = re.findall(r"```text\n(.*?)```", text, re.S)
    pytester.makepyfile(test_hang=module)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(report.splitlines(), consecutive=True)


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
