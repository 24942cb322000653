"""Reference tables generated from the plugin itself, so that the docs cannot drift from it.

Three directives, for reStructuredText (in a MyST page, inside an ``{eval-rst}`` block):

``asyncio-ini-keys`` and ``asyncio-flags``
    Every ini key and every command line option, with its help and default: the plugin's own
    ``pytest_addoption`` fills a recording parser, and the tables show what it declared.
``asyncio-marker``
    Every keyword the ``asyncio`` marker accepts, each described by the ``#:`` comment of its
    field in ``MarkSpec``. A keyword without a commented field is a warning (an error under
    ``make docs``).
``asyncio-fixtures``
    Every public fixture of the plugin, with its scope and docstring (a warning without one).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from _pytest.fixtures import getfixturemarker
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: The argparse defaults of an option that sets no default.
_UNSET_DEFAULTS = (None, False)


@dataclasses.dataclass
class Flag:
    """One command line option, as ``group.addoption`` received it."""

    names: tuple[str, ...]
    attrs: dict[str, Any]

    @property
    def dest(self) -> str:
        dest = self.attrs.get("dest")
        return str(dest) if dest else self.names[0].lstrip("-").replace("-", "_")


@dataclasses.dataclass
class IniKey:
    """One ini key, as ``parser.addini`` received it."""

    name: str
    help: str
    type: str | None
    default: Any


class _RecordingGroup:
    def __init__(self, parser: RecordingParser) -> None:
        self._parser = parser

    def addoption(self, *names: str, **attrs: Any) -> None:
        self._parser.flags.append(Flag(names, attrs))


class RecordingParser:
    """Stands in for ``pytest.Parser`` and keeps what the plugin declares, in order."""

    def __init__(self) -> None:
        self.flags: list[Flag] = []
        self.ini_keys: list[IniKey] = []

    def getgroup(self, name: str, description: str = "", after: str | None = None) -> Any:
        return _RecordingGroup(self)

    def addoption(self, *names: str, **attrs: Any) -> None:
        self.flags.append(Flag(names, attrs))

    def addini(
        self, name: str, help: str, type: str | None = None, default: Any = None, **_: Any
    ) -> None:
        self.ini_keys.append(IniKey(name, help, type, default))


def recorded_options() -> RecordingParser:
    """What the plugin's ``pytest_addoption`` declares."""
    from pytest_asyncio._plugins import config

    parser = RecordingParser()
    config.pytest_addoption(parser)  # type: ignore[arg-type]
    return parser


def _literal(text: str) -> nodes.Node:
    return nodes.paragraph("", "", nodes.literal(text, text))


def _text(text: str) -> nodes.Node:
    return nodes.paragraph(text, text)


def _default(value: Any, unset: str) -> nodes.Node:
    return _text(unset) if value in _UNSET_DEFAULTS else _literal(str(value))


def _table(
    headers: Sequence[str], widths: Sequence[int], rows: Sequence[Sequence[nodes.Node]]
) -> nodes.table:
    """A table with a header row; *widths* are the columns' relative widths."""
    table = nodes.table(classes=["asyncio-reference"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=width) for width in widths)
    group += nodes.thead("", _row([_text(header) for header in headers]))
    group += nodes.tbody("", *(_row(cells) for cells in rows))
    return table


def _row(cells: Sequence[nodes.Node]) -> nodes.row:
    return nodes.row("", *(nodes.entry("", cell) for cell in cells))


class _Generated(SphinxDirective):
    """A directive whose text comes from Python objects: reST in docstrings and comments."""

    has_content = False

    def rest(self, lines: Sequence[str], source: str) -> nodes.Node:
        """*lines* of reStructuredText parsed into one container node."""
        container = nodes.container()
        self.state.nested_parse(StringList(list(lines), source=source), 0, container)
        return container

    def warn(self, message: str) -> None:
        """A warning at the directive: ``make docs`` fails on it."""
        logger.warning(message, location=self.get_location())

    def note_module(self, module: str) -> None:
        """Rebuild the page when *module*'s source changes."""
        analyzer = ModuleAnalyzer.for_module(module)
        if analyzer.srcname:
            self.env.note_dependency(str(analyzer.srcname))


class IniKeysDirective(_Generated):
    def run(self) -> list[nodes.Node]:
        parser = recorded_options()
        for key in parser.ini_keys:
            if not key.help:
                self.warn(f"ini key {key.name} has no help")
        flags = {flag.dest: flag for flag in parser.flags}
        rows = [
            [
                _literal(key.name),
                _literal(flags[key.name].names[0]) if key.name in flags else _text(""),
                _text(key.type or "string"),
                _default(key.default, "not set"),
                _text(key.help),
            ]
            for key in parser.ini_keys
        ]
        self._note_option_modules()
        headers = ("ini key", "command line", "type", "default", "help")
        return [_table(headers, (12, 9, 4, 6, 24), rows)]

    def _note_option_modules(self) -> None:
        for module in ("_plugins.config", "_settings", "_timeouts", "_checks", "_clock"):
            self.note_module(f"pytest_asyncio.{module}")


class FlagsDirective(IniKeysDirective):
    def run(self) -> list[nodes.Node]:
        parser = recorded_options()
        ini_keys = {key.name for key in parser.ini_keys}
        rows = []
        for flag in parser.flags:
            if not flag.attrs.get("help"):
                self.warn(f"option {flag.names[0]} has no help")
            metavar = flag.attrs.get("metavar")
            usage = ", ".join(f"{name}={metavar}" if metavar else name for name in flag.names)
            rows.append(
                [
                    _literal(usage),
                    _literal(flag.dest) if flag.dest in ini_keys else _text(""),
                    _default(flag.attrs.get("default"), "not given"),
                    _text(str(flag.attrs.get("help", ""))),
                ]
            )
        self._note_option_modules()
        headers = ("option", "overrides the ini key", "default", "help")
        return [_table(headers, (14, 12, 5, 24), rows)]


class MarkerDirective(_Generated):
    #: The prefix of a ``MarkSpec`` field that records a deprecated keyword's use.
    LEGACY: ClassVar[str] = "legacy_"

    def run(self) -> list[nodes.Node]:
        from pytest_asyncio import _marks

        module = "pytest_asyncio._marks"
        docs = ModuleAnalyzer.for_module(module).find_attr_docs()
        rows = []
        documented = set()
        for field in dataclasses.fields(_marks.MarkSpec):
            keyword = field.name.removeprefix(self.LEGACY)
            lines = docs.get(("MarkSpec", field.name))
            if keyword not in _marks._ACCEPTED:
                self.warn(f"MarkSpec.{field.name} stands for no keyword of the asyncio marker")
                continue
            if not lines:
                self.warn(f"MarkSpec.{field.name} has no #: comment to show for {keyword}=")
                continue
            documented.add(keyword)
            rows.append([_literal(f"{keyword}="), self.rest(lines, f"{module}.MarkSpec")])
        for keyword in sorted(_marks._ACCEPTED - documented):
            self.warn(f"the asyncio marker's keyword {keyword}= is not in the reference")
        self.note_module(module)
        return [_table(("keyword", "meaning"), (8, 40), rows)]


class FixturesDirective(_Generated):
    def run(self) -> list[nodes.Node]:
        from pytest_asyncio._plugins import fixtures

        rows = []
        for name, function in sorted(vars(fixtures).items()):
            marker = getfixturemarker(function)
            if marker is None or name.startswith("_"):
                continue
            doc = inspect.cleandoc(_docstring(function))
            if not doc:
                self.warn(f"fixture {name} has no docstring")
            source = f"{fixtures.__name__}.{name}"
            rest = self.rest(doc.splitlines(), source)
            rows.append([_literal(marker.name or name), _text(str(marker.scope)), rest])
        self.note_module(fixtures.__name__)
        return [_table(("fixture", "scope", "what it gives"), (12, 4, 32), rows)]


def _docstring(function: Callable[..., Any]) -> str:
    # pytest >= 8.4 wraps a fixture function in a definition object that keeps its docstring.
    return getattr(function, "__doc__", None) or ""


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive("asyncio-ini-keys", IniKeysDirective)
    app.add_directive("asyncio-flags", FlagsDirective)
    app.add_directive("asyncio-marker", MarkerDirective)
    app.add_directive("asyncio-fixtures", FixturesDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
