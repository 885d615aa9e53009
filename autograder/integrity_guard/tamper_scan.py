"""Find, in a student's cell, the few constructs that could get around the guard.

Pure functions over source text: ``find_tampering(source)`` returns ``Finding`` records
(line, the student's own text, and why), empty for ordinary code.

The list is short on purpose; the threat model in the package doc gives, for each refused
construct, the attack it prevents (``tests/integrity_guard/test_refusals.py`` shows most of them
earning points with the refusal switched off). What is refused reaches the guard itself,
or acts where its verification does not look:

- the guard's module, and everything that reaches a module, attribute or namespace value
  by a computed name: ``__import__``, ``importlib``, ``getattr``/``setattr`` with a computed
  name, ``vars(x)``/``globals()`` read beyond their names, ``unittest.mock``;
- reflection into other objects: ``__globals__``, ``__closure__``, ``__code__``,
  ``__dict__`` of anything but ``self``, frames and tracebacks' frames, ``settrace``;
- code no scan has read: ``exec``/``eval``/``compile``, ``builtins``, ``pickle``,
  ``marshal``, ``runpy``, magics that run files (``%run``, ``%load``), IPython's and the
  kernel's machinery (``ipykernel``, ``IPython`` beyond ``IPython.display``, ``exit._ip``);
- raw memory (``ctypes``, ``as_strided``, ``__array_interface__``) and code that runs at
  moments of its own choosing (threads, signal handlers, finalizers, ``__del__``).

Everything else is ordinary student code and is allowed: plotting, timing, debugging and
profiling magics (``%matplotlib inline``, ``%time``, ``%%timeit``, ``%precision``, ``%pdb``,
``%debug``, ``%prun``; the Python they run is scanned too), shell commands,
``IPython.display``, printing, files, ``os``/``sys``, progress bars, classes of their own
(dunder methods included), ``print(vars(p))``, ``locals()``, ``dir()``, ``np.seterr``,
random seeds, and rebinding any name, the assignment's own helpers included (the hidden
tests import what they use).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from IPython.core.inputtransformer2 import TransformerManager
from IPython.core.magic import Magics, magics_class

DENIED_MODULES = {
    "ctypes": "ctypes writes to the interpreter's memory",
    "gc": "gc reaches every object in the kernel, the checks included",
    "inspect": "inspect reaches inside the checks",
    "importlib": "importlib can replace the modules the checks use",
    "builtins": "builtins holds the names every check relies on",
    "pickle": "unpickling can run any function",
    "_pickle": "unpickling can run any function",
    "marshal": "marshal builds code objects",
    "dill": "unpickling can run any function",
    "cloudpickle": "unpickling can run any function",
    "shelve": "shelve unpickles, which can run any function",
    "copyreg": "copyreg changes how objects are rebuilt",
    "code": "code runs source the grader cannot read",
    "codeop": "codeop compiles source the grader cannot read",
    "runpy": "runpy runs files the grader cannot read",
    "unittest": "unittest.mock can replace the functions the checks use",
    "ipykernel": "ipykernel controls how cells run",
    "jupyter_client": "jupyter_client controls the kernel",
    "zmq": "zmq talks to the kernel's channels",
    "traitlets": "traitlets reconfigures IPython",
    "nbgrader": "nbgrader is the grader itself",
    "ctypeslib": "numpy.ctypeslib reads and writes raw memory",
    # Code that runs at moments of its own choosing, in the middle of a check:
    "threading": "threads can change things while a check runs",
    "_thread": "threads can change things while a check runs",
    "concurrent": "threads can change things while a check runs",
    "multiprocessing": "its thread pools can change things while a check runs",
    "signal": "signal handlers can change things while a check runs",
    "weakref": "finalizers can change things while a check runs",
}
ALLOWED_SUBMODULES = {"IPython": {"IPython.display", "IPython.core.display"}}
DENIED_SUBMODULES = {
    "autograder.integrity_guard": "autograder.integrity_guard is the grader's own guard"
}
DENIED_CALLS = {
    "exec": "exec runs source the grader cannot read",
    "eval": "eval runs source the grader cannot read",
    "compile": "compile builds code the grader cannot read",
    "__import__": "__import__ imports by a computed name",
}
# A namespace read by name is harmless (``print(vars(p))``, ``"x" in globals()``); read by a
# computed name or by its values, or held to be written later, it reaches the interpreter's
# builtins (``exec`` under another name) or the grader's own guard.
NAMESPACE_CALLS = {"globals", "vars", "locals"}
# Calls that only show what they are given; a namespace passed to them is read, not kept.
READER_CALLS = {"print", "pprint", "display", "repr", "sorted", "len"}
# Importing the reader itself under its own name is not rebinding it.
READER_ORIGINS = {
    "pprint",  # the module: calling it fails, and pprint.pprint is the reader
    "pprint.pprint",
    "IPython.display.display",
    "IPython.core.display.display",
    "IPython.core.display_functions.display",
}
REFLECTIVE_ATTRIBUTES = set(
    [
        "__globals__",
        "__code__",
        "__closure__",
        "__builtins__",
        "__dict__",
        "__subclasses__",
        "__bases__",
        "__base__",
        "__mro__",
        "__self__",
        "__func__",
        "__defaults__",
        "__kwdefaults__",
        "__getattribute__",
        "__setattr__",
        "__delattr__",
        "__reduce__",
        "__reduce_ex__",
        "__loader__",
        "__spec__",
        "__import__",
        "__wrapped__",
        "__array_interface__",
        "__array_struct__",
        "f_globals",
        "f_locals",
        "f_back",
        "f_builtins",
        "f_code",
        "gi_frame",
        "gi_code",
        "cr_frame",
        "ag_frame",
        "tb_frame",
        "tb_next",
        "_getframe",
        "_current_frames",
        "settrace",
        "setprofile",
        "as_strided",
        "ctypes",
        "get_ipython",
        "_ip",  # exit and quit hold the shell
    ]
)
# The guard's own module and state: every check reaches it through the name kernel_guard.
GUARD_ATTRIBUTES = {"kernel_guard", "_STATE"}
# Defining these lets an object pose as raw memory to NumPy.
DENIED_CLASS_MEMBERS = {
    "__array_interface__": "posing as raw memory",
    "__array_struct__": "posing as raw memory",
    "__del__": "which can run at any moment, even in the middle of a check",
}
STAR_IMPORTS_ALLOWED = {"numpy", "math", "matplotlib.pyplot", "IPython.display"}

# Magics that only display, time, configure plotting or run a separate process.
ALLOWED_LINE_MAGICS = set(
    [
        "matplotlib",
        "time",
        "timeit",
        "precision",
        "pprint",
        "who",
        "whos",
        "who_ls",
        "pwd",
        "ls",
        "env",
        "pinfo",
        "pinfo2",
        "psearch",
        "pdoc",
        "pdef",
        "psource",
        "pfile",
        "xmode",
        "autoreload",
        "load_ext",
        "pip",
        "conda",
        "mamba",
        "lsmagic",
        "magic",
        "quickref",
        "history",
        "page",
        "pdb",
        "debug",
        "tb",
        "prun",
    ]
)
ALLOWED_CELL_MAGICS = set(
    [
        "time",
        "timeit",
        "capture",
        "writefile",
        "html",
        "HTML",
        "markdown",
        "latex",
        "javascript",
        "js",
        "svg",
        "bash",
        "sh",
        "script",
        "prun",
    ]
)
# Magics whose argument or body is Python, scanned too: the options each takes (IPython's
# own parser reads them), and whether a cell magic's first line is code as well.
PYTHON_MAGICS = {
    "time": None,
    "timeit": "n:r:tcp:qo",
    "capture": None,
    "prun": "D:l:rs:T:q",
    "debug": None,
}
CODE_ON_FIRST_LINE = {"timeit", "prun"}  # %%timeit's setup; %%prun runs the line too
LOAD_EXT_ALLOWED = {"autoreload"}
SHELL_CALLS = {"system", "getoutput"}


@magics_class
class _OptionReader(Magics):
    """IPython's own reading of a magic's options (``Magics.parse_options``)."""


def _magic_code(magic: str, argument: str) -> str:
    """The Python a line magic runs (or a cell magic's first line), without its options."""
    if magic == "debug":  # %debug [--breakpoint FILE:LINE] [statement]
        return re.sub(r"^\s*(--breakpoint|-b)\s+\S+", "", argument)
    options = PYTHON_MAGICS.get(magic)
    if options is None:
        return argument
    _, code = _OptionReader(None).parse_options(argument, options, posix=False, list_all=True)
    return code


@dataclass(frozen=True)
class Finding:
    """One refused construct: ``line`` (1-based, in the cell), the student's own ``code``
    on that line, and ``reason`` (what it could do)."""

    line: int
    reason: str
    code: str = field(default="", compare=False)

    def describe(self) -> str:
        code = self.code if len(self.code) <= 40 else self.code[:37] + "..."
        shown = f" `{code}`" if code else ""
        return f"line {self.line}{shown}: {self.reason}"


def _with_parents(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node  # type: ignore[attr-defined]
    return tree


def _python_source(source: str) -> str:
    """Cell text as plain Python: IPython magics become ``get_ipython()`` calls."""
    return TransformerManager().transform_cell(source)


def _is_get_ipython_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "get_ipython"
    )


def _constant_text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _denied_module(module: str) -> str | None:
    """Why importing ``module`` is refused, or None."""
    for prefix, reason in DENIED_SUBMODULES.items():
        if module == prefix or module.startswith(prefix + "."):
            return reason
    top = module.split(".")[0]
    if top in ALLOWED_SUBMODULES:
        allowed = ALLOWED_SUBMODULES[top]
        if any(module == a or module.startswith(a + ".") for a in allowed):
            return None
        return f"{module} controls how cells run (IPython.display is fine)"
    for part in module.split("."):
        if part in DENIED_MODULES:
            return DENIED_MODULES[part]
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, line_offset: int = 0):
        self.line_offset = line_offset
        self.modules: dict[str, str] = {"np": "numpy", "numpy": "numpy"}  # bound name -> module
        self.findings: list[Finding] = []

    def flag(self, node: ast.AST, reason: str) -> None:
        self.findings.append(Finding(getattr(node, "lineno", 1) + self.line_offset, reason))

    # --- imports -------------------------------------------------------------------------
    def _import(self, node: ast.AST, module: str, bound: str) -> None:
        reason = _denied_module(module)
        if reason:
            self.flag(node, reason)
        if module not in READER_ORIGINS:
            self._define(node, bound)
        self.modules[bound] = module

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self._import(node, alias.name, bound)
            if not alias.asname:  # ``import IPython.display`` binds all of IPython
                self.modules[bound] = bound

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                if _denied_module(module):
                    self.flag(node, _denied_module(module) or "")
                elif module not in STAR_IMPORTS_ALLOWED:
                    self.flag(node, f"imports * from {module}, which can replace any name")
                continue
            full = f"{module}.{alias.name}"
            bound = alias.asname or alias.name
            if _denied_module(full) is None and (
                alias.name in REFLECTIVE_ATTRIBUTES or alias.name in DENIED_CALLS
            ):
                self.flag(node, f"imports {alias.name} from {module}, which reaches inside Python")
            # What it imports counts as part of a library: changing its attributes is refused.
            self._import(node, full, bound)

    # --- calls ---------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and _is_get_ipython_call(func.value):
            self._ipython_call(node, func.attr)
            for argument in node.args:  # the magic's text, not the get_ipython() receiver
                self.visit(argument)
            return
        name = func.id if isinstance(func, ast.Name) else None
        if name in NAMESPACE_CALLS and not _reads_names_only(node):
            self.flag(node, f"uses {name}() beyond reading names from it (reading is fine)")
        if name in DENIED_CALLS:
            self.flag(node, f"calls {name}(): {DENIED_CALLS[name]}")
        if name in {"getattr", "setattr", "delattr", "hasattr"} and len(node.args) >= 2:
            self._attribute_call(node, name)
        self.generic_visit(node)

    def _attribute_call(self, node: ast.Call, name: str) -> None:
        attribute = _constant_text(node.args[1])
        on_self = isinstance(node.args[0], ast.Name) and node.args[0].id == "self"
        if attribute is None:
            if name != "hasattr" and not on_self:
                self.flag(node, f"calls {name}() with a computed name, which can reach anything")
            return
        if attribute in REFLECTIVE_ATTRIBUTES or attribute in GUARD_ATTRIBUTES:
            self.flag(node, f"uses {name}() to reach {attribute}, inside another object")

    def _ipython_call(self, node: ast.Call, method: str) -> None:
        if method in SHELL_CALLS:
            return  # a shell command: a separate process, held by the sandbox
        magic = _constant_text(node.args[0]) if node.args else None
        if method == "run_line_magic" and magic is not None:
            argument = _constant_text(node.args[1]) if len(node.args) > 1 else ""
            self._line_magic(node, magic, argument or "")
        elif method == "run_cell_magic" and magic is not None and len(node.args) > 2:
            line = _constant_text(node.args[1]) or ""
            self._cell_magic(node, magic, line, _constant_text(node.args[2]) or "")

    def _line_magic(self, node: ast.AST, magic: str, argument: str) -> None:
        if magic == "config" and argument.strip().startswith("InlineBackend"):
            return  # plotting settings (figure format, resolution)
        if magic not in ALLOWED_LINE_MAGICS:
            self.flag(node, f"%{magic} is not allowed in a graded notebook ({_MAGIC_ADVICE})")
        elif magic == "load_ext" and argument.strip() not in LOAD_EXT_ALLOWED:
            self.flag(node, "%load_ext loads code the grader cannot read (autoreload is fine)")
        elif magic in PYTHON_MAGICS:
            self._scan_nested(node, _magic_code(magic, argument), 0)

    def _cell_magic(self, node: ast.AST, magic: str, line: str, body: str) -> None:
        if magic not in ALLOWED_CELL_MAGICS:
            self.flag(node, f"%%{magic} is not allowed in a graded notebook ({_MAGIC_ADVICE})")
        elif magic in PYTHON_MAGICS:
            if magic in CODE_ON_FIRST_LINE:
                self._scan_nested(node, _magic_code(magic, line), 0)
            self._scan_nested(node, body, 1)

    def _scan_nested(self, node: ast.AST, source: str, first_line: int) -> None:
        """Scan the Python a magic runs; its lines are reported as the cell's own. Code that
        does not parse is refused: the magic would run what the scan could not read."""
        base = getattr(node, "lineno", 1) + self.line_offset + first_line - 1
        nested = _Scanner(base)
        nested.modules = dict(self.modules)
        try:
            nested.visit(_with_parents(ast.parse(_python_source(source))))
        except SyntaxError:
            self.flag(node, "the code this magic runs does not parse, so it cannot be read")
            return
        self.findings += nested.findings
        self.modules.update(nested.modules)

    # --- attributes and names ------------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        attribute, value = node.attr, node.value
        on_self = isinstance(value, ast.Name) and value.id == "self"
        if attribute in REFLECTIVE_ATTRIBUTES and not (attribute == "__dict__" and on_self):
            self.flag(node, f"uses {attribute}, which reaches inside {ast.unparse(value)}")
        ipython = isinstance(value, ast.Name) and self.modules.get(value.id) == "IPython"
        if ipython and attribute != "display":
            self.flag(node, f"uses IPython.{attribute}, which controls how cells run")
        if attribute in GUARD_ATTRIBUTES:
            self.flag(node, f"reaches {attribute}, the grader's own guard")
        if attribute in DENIED_MODULES:  # e.g. np.ctypeslib: a refused module by the back door
            self.flag(node, f"reaches {attribute} through {ast.unparse(value)}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in ("__builtins__", "__import__", "__loader__", "__spec__"):
            self.flag(node, f"uses {node.id}, the interpreter's own machinery")
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._define(node, node.id)

    def _define(self, node: ast.AST, name: str) -> None:
        if name in READER_CALLS:
            self.flag(node, f"rebinds {name}, which is trusted to only show what it is given")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._define(node, node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._define(node, node.name)
        for item in node.body:
            names = []
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [item.name]
            elif isinstance(item, ast.Assign):
                names = [t.id for t in item.targets if isinstance(t, ast.Name)]
            for name in names:
                if name in DENIED_CLASS_MEMBERS:
                    why = DENIED_CLASS_MEMBERS[name]
                    self.flag(item, f"class {node.name} defines {name}, {why}")
        self.generic_visit(node)


def _call_name(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else None


def _is_plain_name(node: ast.AST | None) -> bool:
    """A constant key that is an ordinary name (not a dunder, not a way inside)."""
    key = _constant_text(node) if node is not None else None
    return (
        key is not None
        and not (key.startswith("__") and key.endswith("__"))
        and key not in REFLECTIVE_ATTRIBUTES
        and key not in GUARD_ATTRIBUTES
    )


def _reads_names_only(call: ast.Call) -> bool:
    """A namespace call (``globals()``, ``locals()``, ``vars()``, ``vars(x)``) used only to
    read names: iterated (its keys), tested with ``in``, shown by a reader
    (``print(vars(p))``), ``.keys()``, or one ordinary name read (``globals()["x"]``,
    ``.get("x")``). ``vars(self)`` is a class's own business. Everything else (a computed
    name, ``.values()``, keeping it in a variable, passing it on) is not."""
    if call.args and isinstance(call.args[0], ast.Name) and call.args[0].id == "self":
        return True
    parent = getattr(call, "parent", None)
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
        return parent.iter is call
    if isinstance(parent, ast.Compare):
        return call is not parent.left and all(
            isinstance(o, (ast.In, ast.NotIn)) for o in parent.ops
        )
    if isinstance(parent, ast.Call) and call in parent.args:
        callee = parent.func
        name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
        return name in READER_CALLS
    if isinstance(parent, ast.Subscript):
        return isinstance(parent.ctx, ast.Load) and _is_plain_name(parent.slice)
    if isinstance(parent, ast.Attribute):
        method_call = getattr(parent, "parent", None)
        if parent.attr == "keys":
            return True
        if parent.attr == "get" and isinstance(method_call, ast.Call) and method_call.args:
            return _is_plain_name(method_call.args[0])
    return False


_MAGIC_ADVICE = "it runs code the grader cannot read or changes how cells run; remove it"


def find_tampering(source: str) -> list[Finding]:
    """Refused constructs in one cell's source, each with the student's own line; ``[]``
    for ordinary code. A cell that does not parse is left alone: running it raises a
    SyntaxError and scores nothing."""
    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return []
    scanner = _Scanner()
    scanner.visit(_with_parents(tree))
    lines = source.splitlines()
    findings = {
        Finding(f.line, f.reason, lines[f.line - 1].strip() if 0 < f.line <= len(lines) else "")
        for f in scanner.findings
    }
    return sorted(findings, key=lambda f: (f.line, f.reason))
