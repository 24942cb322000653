"""docs/timeouts.md: the example report is the one the example module produces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

DOC = Path(__file__).resolve().parents[2] / "docs" / "timeouts.md"


def test_the_documented_report_is_what_the_example_prints(pytester: pytest.Pytester) -> None:
    text = DOC.read_text()
    (module,) = re.findall(r"```py\n(.*?)```", text, re.S)
    (report,) = re.findall(r"```text\n(.*?)```", text, re.S)
    pytester.makepyfile(test_hang=module)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(report.splitlines(), consecutive=True)
