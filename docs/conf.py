"""Sphinx configuration of the pytest-asyncio-ng docs site (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path

from pytest_asyncio import __version__

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "pytest-asyncio-ng"
author = "the pytest-asyncio-ng authors"
copyright = "the pytest-asyncio-ng authors"
release = __version__
version = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "asyncio_reference",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# Headings get GitHub's anchors, so links such as `checks.md#cost` work on GitHub and here.
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence"]

# Type hints in signatures name pytest's and the standard library's classes, which this site
# does not document; the build has no network, so no intersphinx inventories to link them to.
nitpick_ignore_regex = [
    ("py:.*", r"(pytest|_pytest|asyncio|collections\.abc|typing|contextvars)\..*"),
    # The type variable and aliases of pytest_asyncio.fixture's signature.
    ("py:class", r"pytest_asyncio\._decorator\.(F|_Scope|_Ids)"),
]
autodoc_typehints = "signature"
autodoc_member_order = "bysource"

html_theme = "furo"
html_title = f"pytest-asyncio-ng {version}"
html_static_path: list[str] = []
pygments_style = "sphinx"
