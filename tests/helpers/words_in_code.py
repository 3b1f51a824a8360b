"""Find the words a user would read that the code writes without the catalogue: string literals
that read as English (two words with a space between, or one capitalised word) outside `_`, `N_`,
`ngettext` and `pgettext`, in dtlab's own modules.

What is not read by a user is told apart by where the string stands, not by a list of strings: a
docstring, a dict key or a subscript (ids), a comparison (a stored value), the arguments of calls
that take ids, SQL or patterns (`query_one`, `text`, `re.compile`…), a Textual CSS block, the
option help of argparse (left in English: docs/translating.md says why). A literal that is none of
these and still not shown says so on its line, or the line above, with `# i18n: not shown (why)`."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "dtlab"
# SQL, schema and the dialect seam: text for the database, never for a reader; the demo's cases,
# which stand for what users type (names and data typed by users stay as typed).
SKIPPED = ("db/migrations/", "db/dialects/", "services/demo.py", "services/demo_calls.py")

CATALOGUE_CALLS = {"_", "N_", "ngettext", "pgettext"}
# Calls whose string arguments are ids, patterns, SQL, paths or formats.
NOT_SHOWN_CALLS = {
    "query_one", "query", "query_children", "get_child_by_id", "get_widget_by_id", "text", "literal_column",
    "compile", "match", "fullmatch", "search", "sub", "split", "findall", "finditer", "escape",
    "getattr", "setattr", "hasattr", "delattr", "startswith", "endswith", "strip", "lstrip", "rstrip", "replace",
    "join", "strftime", "strptime", "fromisoformat", "encode", "decode", "getLogger", "debug", "info", "warning",
    "exception", "filterwarnings", "simplefilter", "get", "pop", "setdefault", "environ", "getenv",
    "add_class", "remove_class", "has_class", "set_class", "toggle_class", "set_classes", "add_parser",
    "add_subparsers", "add_mutually_exclusive_group", "add_argument_group", "run_action", "run_worker",
    "post_message", "bind", "Column", "Index", "UniqueConstraint", "CheckConstraint", "ForeignKey",
    "Field", "Relationship", "PrimaryKeyConstraint", "select", "where", "label", "execution_options",
    "col", "table", "attribute", "isoformat", "format_help", "struct", "unpack", "pack", "hexdigest",
    "urlparse", "make_url", "create_engine", "connect", "Path", "open", "with_suffix", "with_name",
    "namedtuple", "TypeVar", "cast", "NewType", "Literal", "field", "dataclass", "index", "count", "find",
    "rfind", "partition", "rpartition", "removeprefix", "removesuffix", "translate", "maketrans",
    "set_interval", "set_timer", "call_later", "watch", "mount", "remove", "scroll_to_widget",
    "write_text", "read_text", "mkdir", "rename", "unlink", "exists", "glob", "rglob", "resolve",
    "relative_to", "joinpath", "sqlite3", "execute", "executemany", "exec_driver_sql", "scalar",
    "scalars", "mappings", "op", "like", "ilike", "in_", "notin_", "is_", "isnot", "bindparam",
    "func", "over", "order_by", "group_by", "having", "update", "insert", "delete", "values",
    "returning", "on_conflict_do_nothing", "on_conflict_do_update", "coalesce", "case", "cte",
    "alias", "subquery", "union_all", "exists_", "type_coerce", "sort", "sorted", "isinstance",
    "issubclass", "dumps", "loads", "load", "dump", "b64encode", "b64decode", "sha256", "blake2b",
    "new", "digest", "md5", "hmac", "compare_digest", "uuid7", "UUID", "uuid4", "setenv", "putenv",
    "register", "on", "work", "key_to_character", "check_action", "set_focus", "focus",
    "action", "query_ancestor", "ScrollableContainer",
}
# Keyword arguments that take ids, classes, actions, variants or argparse's plumbing; help= of
# argparse is left in English (see the module's docstring).
NOT_SHOWN_KEYWORDS = {
    "id", "classes", "name", "group", "dest", "metavar", "action", "variant", "severity", "key",
    "prog", "key_display", "id_", "tooltip_id", "css", "encoding", "errors", "mode", "sep", "end",
    "fmt", "datefmt", "style", "format", "choices", "default", "const", "type", "nargs", "tablename",
    "server_default", "sa_column", "foreign_key", "primary_key", "index", "unique", "thread",
    "exclusive", "exit_on_error", "usage", "binding_id", "event",
}
# argparse's own words for options and commands (left in English: see the module's docstring).
ARGPARSE_CALLS = {"add_argument", "add_parser", "ArgumentParser", "Parser", "add_argument_group"}
ARGPARSE_KEYWORDS = {"help", "description", "epilog"}
NOT_SHOWN_ATTRIBUTES = {"DEFAULT_CSS", "CSS", "CSS_PATH", "COMPONENT_CLASSES", "__all__", "__tablename__",
                        "SCOPED_CSS", "BORDER_TITLE", "AUTO_FOCUS"}
PROSE = re.compile(r"[A-Za-z]{2,}[ \u00a0]+[A-Za-z]{2,}|^[A-Z][a-z]{2,}[.:!?]?$")
MARKER = "# i18n: not shown"


@dataclass(frozen=True)
class Bypass:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.found: list[Bypass] = []
        self.skip: set[int] = set()

    def _skip_all(self, node: ast.AST) -> None:
        for inner in ast.walk(node):
            self.skip.add(id(inner))

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if name in CATALOGUE_CALLS or name in NOT_SHOWN_CALLS:
            for arg in node.args:
                self._skip_all(arg)
        if name == "Binding":  # the key and the action; its description is shown in the footer
            for arg in node.args[:2]:
                self._skip_all(arg)
        if name in ARGPARSE_CALLS:
            for arg in node.args:
                self._skip_all(arg)
            for kw in node.keywords:
                if kw.arg in ARGPARSE_KEYWORDS:
                    self._skip_all(kw.value)
        for kw in node.keywords:
            if kw.arg in NOT_SHOWN_KEYWORDS or (kw.arg or "").endswith("_id"):
                self._skip_all(kw.value)
        if name in CATALOGUE_CALLS:
            for kw in node.keywords:
                self._skip_all(kw.value)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        self._skip_all(node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self._skip_all(node.slice)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key in node.keys:
            if key is not None:
                self._skip_all(key)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if any(isinstance(t, ast.Name) and t.id in NOT_SHOWN_ATTRIBUTES for t in node.targets):
            self._skip_all(node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name) and node.target.id in NOT_SHOWN_ATTRIBUTES and node.value:
            self._skip_all(node.value)
        self._skip_all(node.annotation)
        self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> None:
        if node.annotation is not None:
            self._skip_all(node.annotation)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.returns is not None:
            self._skip_all(node.returns)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None and not isinstance(default, ast.Constant):
                continue
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def _report(self, node: ast.AST, text: str) -> None:
        line = self.lines[node.lineno - 1] if 0 < node.lineno <= len(self.lines) else ""
        end = getattr(node, "end_lineno", node.lineno) or node.lineno
        # the marker on the literal's lines, or alone on the line above them
        spans = self.lines[max(0, node.lineno - 2):end]
        if MARKER in line or any(MARKER in s for s in spans):
            return
        self.found.append(Bypass(self.path, node.lineno, text))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        # Babel's extractor does not look inside f-strings (on Python before 3.12 it cannot): a
        # message asked for there is never in the catalogue, and is shown in English.
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Call) and _call_name(inner) in CATALOGUE_CALLS
                    and any(isinstance(a, ast.Constant) for a in inner.args)):
                self.found.append(Bypass(self.path, inner.lineno, "a catalogue call inside an f-string"))
        if id(node) not in self.skip:
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if PROSE.search(literal):
                self._report(node, literal)
        self._skip_all(node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.skip and PROSE.search(node.value):
            self._report(node, node.value)


def bypasses(root: Path = ROOT) -> Iterator[Bypass]:
    """Every English literal in dtlab's modules that does not go through the catalogue."""
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(SKIPPED):
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        finder = _Finder(rel, source.splitlines())
        finder.skip |= _docstrings(tree)
        finder.visit(tree)
        yield from finder.found
