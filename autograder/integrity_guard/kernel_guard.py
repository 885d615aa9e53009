"""Inside the kernel: tell the student early about refused code, and check, every time a
check gives a verdict, that nothing the checks rely on was replaced.

``install()`` runs when a grading or validating kernel starts, before any notebook cell
(``Execute.extra_arguments`` in ``nbgrader_config.py`` passes it to IPython's
``exec_lines``). It records which objects the checks rely on: builtins, NumPy's
namespaces, every ``autograder`` module (functions with their code and defaults, classes
with their members), ``sys``'s hooks and IPython's input transformers, exception
handlers, display hook and cell-running methods.

``verify()`` is called by the checks (``call_student_code``, ``CheckResult.assert_passed``
and ``score``, the quiz's marking). It raises ``TamperingDetected``, so the test fails:

- when an earlier cell holds code the grader refuses (``tamper_scan``): in JupyterLab and
  under ``nbgrader validate`` this names the student's own line before they submit; when
  grading, ``BlockTampering`` has replaced that cell and ``refuse_cell`` records it;
- when any recorded object was replaced since the kernel started.

Student cells cannot reach this module: importing ``autograder.integrity_guard`` and every route
to another module's insides are refused by the scan (see the package doc).
"""

from __future__ import annotations

import builtins
import functools
import os
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, is_, itemgetter
from threading import get_ident, main_thread
from typing import Any

from autograder.integrity_guard.tamper_scan import find_tampering
from autograder.student_tracebacks import StudentFacingError

# Names that ipykernel or IPython rebind on their own while cells run.
VOLATILE_BUILTINS = {"input", "raw_input", "getpass", "exit", "quit", "display", "get_ipython"}
NUMPY_NAMESPACES = ("numpy", "numpy.linalg", "numpy.random", "numpy.testing", "math")
# Every course module a hidden test imports, loaded and recorded before any cell runs: a
# cell (even one a student put above the setup cell) cannot plant a module of its own
# under one of these names for the hidden tests to import.
PRELOADED_MODULES = (
    "autograder.gradient_checking",
    "autograder.course_checks",
    "autograder.course_data",
    "autograder.quiz_engine",
)
# Recorded when first imported (by a locked setup cell): the course's package, and the
# library the quiz's formulas are evaluated with.
GUARDED_PACKAGES = ("autograder", "simpleeval")
SHELL_METHODS = (
    *("run_cell", "run_cell_async", "run_ast_nodes", "run_code", "transform_cell"),
    *("transform_ast", "showtraceback", "_showtraceback", "showsyntaxerror", "ex", "ev"),
)
PR_SET_DUMPABLE = 4
IMMUTABLE_TYPE_FLAG = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE
# First line of the code that replaces a refused cell (see preprocessors.BlockTampering).
REFUSED_MARKER = "# This cell was not run by the grader"


class TamperingDetected(StudentFacingError, AssertionError):
    """A check refused to give a verdict; the message says why and what to do."""


@dataclass
class _GuardState:
    records: list = field(default_factory=list)  # _NamespaceRecord
    flat: _AllRecords | None = None  # the records, flattened for the fast check
    shell: Any = None  # the kernel's IPython shell, if any
    hooks: Hooks = ((), ())  # the hooks expected (see _hooks_now)
    course_modules: set[str] = field(default_factory=set)
    modules_seen: int = 0
    refusals: list[str] = field(default_factory=list)
    history_scanned: tuple[str, ...] = ()  # the cells run when the history was last scanned
    history_findings: list[str] = field(default_factory=list)  # and what was found in them
    grading: bool = False  # nbgrader autograde: every student cell was scanned before it ran
    magics_scanned: bool = True  # off only where a test shows what the refusals prevent
    installed: bool = False


_STATE = _GuardState()


def _shell():
    try:  # IPython only in a kernel: the guard also runs in plain Python
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


class _NamespaceRecord:
    """Names of one namespace (a module's, a class's, builtins') and the objects expected,
    and the code and defaults expected of the functions among them."""

    def __init__(self, label: str, namespace: Mapping[str, object], expected: dict[str, object]):
        self.label = label
        self.namespace = namespace  # the live mapping: read again at every check
        self.names = tuple(expected)
        self.values = tuple(expected.values())
        functions = [(n, v) for n, v in expected.items() if isinstance(v, types.FunctionType)]
        self.function_names = tuple(name for name, _ in functions)
        self.functions = tuple(function for _, function in functions)
        self.function_parts = tuple(tuple(map(part, self.functions)) for part in _PARTS)

    def changed(self) -> Iterator[str]:
        for name, value in zip(self.names, self.values, strict=True):
            if self.namespace.get(name, _MISSING) is not value:
                yield f"{self.label}.{name}"
        for part, expected in zip(_PARTS, self.function_parts, strict=True):
            for name, function, value in zip(
                self.function_names, self.functions, expected, strict=True
            ):
                if part(function) is not value:
                    yield f"{self.label}.{name}"


class _AllRecords:
    """Every record's names, objects and functions flattened, so that the common case of a
    check, nothing changed, costs little (``replaced_objects`` runs before and after every
    call into student code: thousands of times in one finite-difference check):

    - the namespaces whose dictionary has a version tag (``DictionaryVersions``): if none
      of those dictionaries changed since the last check that passed, their names need no
      reading; the others (a namespace whose dictionary cannot be reached) are read at
      every check. Each group is read by ``_NamespaceReads``, one C call per namespace;
    - the functions' code and defaults (assigning them changes no dictionary): if no
      function's were assigned since the last check that passed (``FunctionChanges``),
      they need no reading; otherwise they are compared the same way."""

    def __init__(self, records: list[_NamespaceRecord]):
        self.count = len(records)
        named = [record for record in records if record.names]
        tagged = DictionaryVersions.works_here()
        found = [_underlying_dict(record.namespace) if tagged else None for record in named]
        self.versioned = _NamespaceReads(
            [r for r, d in zip(named, found, strict=True) if d is not None]
        )
        self.always_read = _NamespaceReads(
            [r for r, d in zip(named, found, strict=True) if d is None]
        )
        self.versions = DictionaryVersions([d for d in found if d is not None])
        self.versions_checked: tuple[int, ...] | None = None
        self.functions = tuple(f for record in records for f in record.functions)
        self.parts = tuple(tuple(map(part, self.functions)) for part in _PARTS)
        self.function_changes_checked: int | None = None

    def unchanged(self) -> bool:
        if not self.always_read.unchanged():
            return False
        versions = self.versions.read()
        if versions != self.versions_checked:
            if not self.versioned.unchanged():
                return False
            self.versions_checked = versions
        changes = _FUNCTION_CHANGES.count
        if changes is None or changes != self.function_changes_checked:
            if not self._functions_unchanged():
                return False
            self.function_changes_checked = changes
        return True

    def _functions_unchanged(self) -> bool:
        return all(
            all(map(is_, map(part, self.functions), expected))
            for part, expected in zip(_PARTS, self.parts, strict=True)
        )


class _NamespaceReads:
    """The names of some records, read from their live namespaces with ``itemgetter`` (one
    C call per namespace) and compared with ``map``/``is``: no Python loop per name."""

    def __init__(self, records: list[_NamespaceRecord]):
        self.readers = tuple((_reader(record.names), record.namespace) for record in records)
        self.values = tuple(value for record in records for value in record.values)

    def unchanged(self) -> bool:
        try:
            now = chain.from_iterable([read(namespace) for read, namespace in self.readers])
            return all(map(is_, now, self.values))
        except KeyError:  # a recorded name was deleted
            return False


class DictionaryVersions:
    """The version tags of some dictionaries (CPython's ``ma_version_tag``, PEP 509): every
    change to a dictionary (setting a key to another object, deleting, clearing) gives it
    a new tag that no dictionary had before. Equal tags mean nothing in them changed.

    Python has no public way to read the tag, so it is read from the dictionary's header
    with ``ctypes``, and only where ``works_here`` showed, on dictionaries made for the
    purpose, that the field read behaves as a version tag (CPython 3.11 to 3.13; Python
    3.14 no longer updates it). Elsewhere, and for a namespace whose dictionary cannot be
    reached, every check reads every name. Student code cannot forge a tag: ``ctypes`` and
    ``gc`` are refused by the scan.
    """

    OFFSET = 24  # after the reference count, the type and ma_used: 8 bytes each

    def __init__(self, dictionaries: list[dict]):
        import ctypes  # here: the guard's module holds no ctypes for student code to reach

        self.dictionaries = dictionaries  # kept alive while their headers are read
        self.tags = tuple(ctypes.c_uint64.from_address(id(d) + self.OFFSET) for d in dictionaries)

    def read(self) -> tuple[int, ...]:
        return tuple(map(_TAG_VALUE, self.tags))

    @classmethod
    @functools.cache
    def works_here(cls) -> bool:
        if sys.implementation.name != "cpython" or sys.version_info < (3, 11):
            return False
        first, second = object(), object()
        probe = {"name": first}
        tags = cls([probe])
        before = tags.read()
        unchanged = tags.read() == before
        probe["name"] = second  # replaced, same size: only the tag says so
        replaced = tags.read()
        probe["name"] = second  # the same object again: no change
        same_again = tags.read()
        del probe["name"]
        deleted = tags.read()
        probe["name"] = first  # back to how it was: still a new tag
        restored = tags.read()
        return (
            unchanged
            and replaced != before
            and same_again == replaced
            and len({before, replaced, deleted, restored}) == 4
            and cls([{"name": first}]).read() not in (before, restored)
        )


_TAG_VALUE = attrgetter("value")


class FunctionChanges:
    """Counts assignments to any function's code, defaults or keyword defaults.

    CPython raises the audit event ``object.__setattr__`` for each of them, whatever the
    route (``f.__code__ = ...``, ``setattr``, ``object.__setattr__``, the type's
    descriptors), and an audit hook, once added, cannot be removed from Python. Between
    two checks with the same count, no function's parts were assigned.

    ``start`` adds the hook (once per process) and shows, on a function made for the
    purpose, that each kind of assignment is counted; if not (another Python), ``count``
    stays None and every check compares every function's parts. Student code cannot
    reach the hook or the count: ``gc`` and this module are refused by the scan.

    The same hook sees every ``exec`` event of the main thread, where cells run (each
    statement of a cell, and whatever ``exec`` runs), and refuses to run the code once
    something the checks rely on was replaced (``_refuse_to_run_after_replacement``): a
    hidden test never starts with a replaced import machinery, module or builtins,
    whatever route replaced them. (The kernel's other threads, which send output, run
    while the main thread is between cells, where IPython's display hook is not
    installed: they are not checked.)
    """

    PARTS = frozenset({"__code__", "__defaults__", "__kwdefaults__"})

    def __init__(self) -> None:
        self.count: int | None = None
        self.started = False

    def __call__(self, event: str, arguments: tuple) -> None:
        # Called for every audit event in the kernel: the common case returns at once.
        if event == "object.__setattr__" and arguments[1] in self.PARTS and self.count is not None:
            self.count += 1
        elif event == "exec" and _STATE.installed and get_ident() == _MAIN_THREAD:
            _refuse_to_run_after_replacement()

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        self.count = 0
        sys.addaudithook(self)

        def probe(a=1, *, b=2):
            return a

        counts = [self.count]
        for name, value in [
            ("__defaults__", (3,)),
            ("__kwdefaults__", {"b": 3}),
            ("__code__", (lambda a=1, *, b=2: b).__code__),
        ]:
            setattr(probe, name, value)
            counts.append(self.count)
        if counts != [0, 1, 2, 3]:
            self.count = None


_FUNCTION_CHANGES = FunctionChanges()
_MAIN_THREAD = main_thread().ident


def _underlying_dict(namespace: Mapping[str, object]) -> dict | None:
    if type(namespace) is dict:
        return namespace
    if type(namespace) is types.MappingProxyType:
        import gc  # here: the guard's module holds no gc for student code to reach

        inner = gc.get_referents(namespace)
        # A dict subclass (ctypes' structures keep their class namespace in one) starts
        # with a dict's header, version tag included.
        if len(inner) == 1 and isinstance(inner[0], dict):
            return inner[0]
    return None


def _reader(names: tuple[str, ...]) -> Callable[[Mapping[str, object]], tuple]:
    """A function reading ``names`` from a namespace as a tuple, in one C call."""
    if len(names) == 1:
        read_one = itemgetter(names[0])
        return lambda namespace: (read_one(namespace),)
    return itemgetter(*names)


# A function's code, defaults and keyword defaults: what replacing its behaviour changes.
_PARTS = (attrgetter("__code__"), attrgetter("__defaults__"), attrgetter("__kwdefaults__"))


def _records(
    label: str, namespace: Mapping[str, object], skip: Callable[[str], bool]
) -> list[_NamespaceRecord]:
    expected = {name: value for name, value in list(namespace.items()) if not skip(name)}
    return [_NamespaceRecord(label, namespace, expected)]


def _module_records(name: str) -> list[_NamespaceRecord]:
    module = sys.modules.get(name)
    if module is None:
        return []
    records = [_NamespaceRecord("sys.modules", sys.modules, {name: module})]
    records += _records(name, vars(module), _is_dunder)
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == name and not _immutable(value):
            records += _records(f"{name}.{value.__name__}", vars(value), _never)
    return records


def _immutable(cls: type) -> bool:
    """Python refuses to set or delete attributes of this type (NumPy's and the built-in
    types): nothing to record, as the routes around that (``gc``, ``ctypes``) are refused."""
    return bool(cls.__flags__ & IMMUTABLE_TYPE_FLAG)


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _never(name: str) -> bool:
    return False


# Private builtins the interpreter itself calls: every ``import`` statement (the hidden
# tests reach the checks through one) and every ``class`` statement.
GUARDED_PRIVATE_BUILTINS = {"__import__", "__build_class__"}


def _volatile_builtin(name: str) -> bool:
    if name in GUARDED_PRIVATE_BUILTINS:
        return False
    return name.startswith("_") or name in VOLATILE_BUILTINS


SHELL_LISTS = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")
# What _hooks_now reads, in its order: single objects, then lists (compared item by item).
OBJECT_HOOK_LABELS = (
    *("sys.displayhook", "sys.gettrace()", "sys.getprofile()"),
    "IPython's display hook",
    "IPython's traceback printer",
    "IPython's plain-text formatter",
    "IPython's compiler",
    "the notebook's __builtins__",
    *(f"IPython's {name}" for name in SHELL_METHODS),
)
LIST_HOOK_LABELS = (*(f"IPython's {name}" for name in SHELL_LISTS), "IPython's exception handlers")

Hooks = tuple[tuple[object, ...], tuple[tuple[object, ...], ...]]


def _hooks_now(shell: Any) -> Hooks:
    """The hooks, read afresh at every check: sys's, and those of the kernel's IPython
    shell, as (single objects, lists as tuples of their items) in the labels' order."""
    objects: list[object] = [sys.displayhook, sys.gettrace(), sys.getprofile()]
    if shell is None:
        return tuple(objects), ()
    objects += [
        shell.displayhook,
        shell.InteractiveTB,
        shell.display_formatter.formatters.get("text/plain"),
        shell.compile,
        shell.user_ns.get("__builtins__"),  # what every name in a later cell falls back on
    ]
    objects += map(vars(shell).get, SHELL_METHODS)  # a method replaced on the shell itself
    lists = [tuple(getattr(shell, name, ())) for name in SHELL_LISTS]
    lists.append(tuple(shell.custom_exceptions))
    return tuple(objects), tuple(lists)


def _same_items(now: tuple[object, ...], expected: tuple[object, ...]) -> bool:
    return len(now) == len(expected) and all(map(is_, now, expected))


def _changed_hooks(now: Hooks, expected: Hooks) -> list[str]:
    (objects, lists), (expected_objects, expected_lists) = now, expected
    if all(map(is_, objects, expected_objects)) and all(map(_same_items, lists, expected_lists)):
        return []  # the common case, in C loops; labels only when something differs
    single = zip(OBJECT_HOOK_LABELS, objects, expected_objects, strict=False)
    items = zip(LIST_HOOK_LABELS, lists, expected_lists, strict=False)
    return [label for label, a, b in single if a is not b] + [
        label for label, a, b in items if not _same_items(a, b)
    ]


def _guarded_modules() -> list[str]:
    return sorted(name for name in list(sys.modules) if name.split(".")[0] in GUARDED_PACKAGES)


def _not_dumpable() -> None:
    """No ptrace and no /proc/self/mem writes into this kernel for its own (non-root) uid."""
    if sys.platform.startswith("linux"):
        import ctypes  # here: the guard's module holds no ctypes for student code to reach

        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


class _CellMagics:
    """What ``get_ipython()`` returns in a graded notebook: the four methods IPython's own
    transformation of a cell calls (``%magic``, ``%%magic``, ``!command``, ``x = !command``),
    each magic scanned by the same rules as the cell's text before it runs, and nothing
    else of the shell (``shell.run_cell`` would run code no scan has read)."""

    __slots__ = ()

    def run_line_magic(self, magic_name: str, line: str, _stack_depth: int = 1) -> Any:
        _refuse_if_tampering(f"%{magic_name} {line}")
        return _STATE.shell.run_line_magic(magic_name, line, _stack_depth + 1)

    def run_cell_magic(self, magic_name: str, line: str, cell: str) -> Any:
        _refuse_if_tampering(f"%%{magic_name} {line}\n{cell}")
        return _STATE.shell.run_cell_magic(magic_name, line, cell)

    def system(self, cmd: str) -> Any:
        return _STATE.shell.system(cmd)

    def getoutput(self, cmd: str, split: bool = True, depth: int = 0) -> Any:
        return _STATE.shell.getoutput(cmd, split, depth + 1)


_CELL_MAGICS = _CellMagics()


def _refuse_if_tampering(magic: str) -> None:
    found = find_tampering(magic) if _STATE.magics_scanned else []
    if found:
        raise TamperingDetected("\nThe grader does not run\n" + _bullets([f.reason for f in found]))


def _cell_magics() -> _CellMagics:
    """``get_ipython`` in a graded notebook's namespace and builtins (see ``_CellMagics``)."""
    return _CELL_MAGICS


def _hide_the_shell(shell: Any) -> None:
    """The notebook's routes to the shell are ``get_ipython`` (in its namespace, and among
    the builtins IPython adds for each cell) and ``exit``/``quit``'s ``_ip``, which the scan
    refuses by name: ``get_ipython`` then gives only what the cell's magics need."""
    shell.user_ns["get_ipython"] = _cell_magics
    shell.builtin_trap.auto_builtins["get_ipython"] = _cell_magics
    if "get_ipython" in vars(builtins):
        builtins.get_ipython = _cell_magics  # type: ignore[attr-defined]


def install() -> None:
    """Record what the checks rely on (at kernel start, before any notebook cell)."""
    import importlib  # here: the guard's module holds no importlib for student code to reach

    for name in PRELOADED_MODULES:
        importlib.import_module(name)
    _not_dumpable()
    _FUNCTION_CHANGES.start()
    _STATE.records = _records("builtins", vars(builtins), _volatile_builtin)
    for name in NUMPY_NAMESPACES:
        _STATE.records += _module_records(name)
    _record_new_course_modules()
    shell = _STATE.shell = _shell()
    _STATE.grading = os.environ.get("NBGRADER_EXECUTION") == "autograde"
    if shell is not None:
        _hide_the_shell(shell)
    _STATE.hooks = _hooks_now(shell)
    _STATE.installed = True
    if shell is not None:  # a course module a locked cell imports is recorded before the next cell
        shell.events.register("pre_run_cell", _before_each_cell)


def _before_each_cell(info: object) -> None:
    _record_new_course_modules()


def _record_new_course_modules() -> None:
    """Course modules imported since the last look, recorded before the next cell runs (so
    what the locked setup cell imports is recorded before any student cell can touch it)."""
    if len(sys.modules) == _STATE.modules_seen:
        return
    _STATE.modules_seen = len(sys.modules)
    for name in _guarded_modules():
        if name not in _STATE.course_modules:
            _STATE.course_modules.add(name)
            _STATE.records += _module_records(name)


def replaced_objects() -> list[str]:
    """What the checks rely on and was replaced since the kernel started (fast enough to run
    after every call into student code)."""
    if not _STATE.installed:
        return []
    _record_new_course_modules()
    if _STATE.flat is None or _STATE.flat.count != len(_STATE.records):
        _STATE.flat = _AllRecords(_STATE.records)
    changed = []
    if not _STATE.flat.unchanged():
        changed = [label for record in _STATE.records for label in record.changed()]
    return changed + _changed_hooks(_hooks_now(_STATE.shell), _STATE.hooks)


_MISSING = object()


@functools.lru_cache(maxsize=1024)
def _findings(source: str) -> tuple[str, ...]:
    return tuple(f.describe() for f in find_tampering(source))


def refused_code_in_history() -> list[str]:
    """Refused constructs in the cells this kernel has run, as ``cell [n], line l `code`:
    reason``.

    Empty under nbgrader autograde: there ``BlockTampering`` scanned every student cell
    before the kernel started and replaced the refused ones, and the other cells are the
    instructor's own (the hidden tests among them)."""
    shell = _STATE.shell or _shell()
    if shell is None or _STATE.grading:
        return []
    cells = tuple(shell.history_manager.input_hist_raw)
    if cells != _STATE.history_scanned:  # the same cells as at the last check: same findings
        _STATE.history_findings = _refused_code_in(cells)
        _STATE.history_scanned = cells
    return list(_STATE.history_findings)


def _refused_code_in(cells: tuple[str, ...]) -> list[str]:
    return [
        f"cell [{number}], {finding}"
        for number, source in enumerate(cells)
        if source.strip() and not source.startswith(REFUSED_MARKER)
        for finding in _findings(source)
    ]


def refuse_cell(description: str) -> None:
    """Called in place of a cell the grader refused: remember it, and fail that cell."""
    _STATE.refusals.append(description)
    raise TamperingDetected(
        "\nThe grader did not run this cell:\n"
        + _bullets([description])
        + "\nRemove that line; the rest of your notebook can stay as it is."
    )


def _bullets(items: list[str]) -> str:
    # nbgrader validate cuts lines at 90 characters: one short line per item.
    return "\n".join(f"  - {item}" for item in dict.fromkeys(items))


def verify() -> None:
    """Raise TamperingDetected if refused code ran or anything the checks rely on changed."""
    refused = [*_STATE.refusals, *refused_code_in_history()]
    if refused:
        raise TamperingDetected(
            "\nThis check gives no verdict: the grader will not run\n"
            + _bullets(refused)
            + "\nRemove that code, restart the kernel and run all cells."
        )
    verify_unchanged()


def _replaced_message(replaced: list[str]) -> str:
    return (
        "\nThis check gives no verdict: code in this notebook replaced\n"
        + _bullets(replaced[:3])
        + "\nwhich the checks rely on. Restart the kernel and run your code"
        "\nwithout changing the course's or NumPy's functions."
    )


def verify_unchanged() -> None:
    """The fast half of ``verify``, for after each call into student code."""
    replaced = replaced_objects()
    if replaced:
        raise TamperingDetected(_replaced_message(replaced))


# Set for a moment by the profiling and timing magics (``%prun`` runs its statement under a
# profiler): checked at every verdict, not when code starts.
WHILE_RUNNING = {"sys.gettrace()", "sys.getprofile()"}


def _refuse_to_run_after_replacement() -> None:
    """At every ``exec`` (a cell starting): refuse to run it if anything recorded was
    replaced. Unlike ``replaced_objects`` it records no new module: a module being imported
    right now is not complete yet."""
    if _STATE.flat is None or _STATE.flat.count != len(_STATE.records):
        _STATE.flat = _AllRecords(_STATE.records)
    hooks = [
        h for h in _changed_hooks(_hooks_now(_STATE.shell), _STATE.hooks) if h not in WHILE_RUNNING
    ]
    if _STATE.flat.unchanged() and not hooks:
        return
    replaced = [label for record in _STATE.records for label in record.changed()] + hooks
    raise TamperingDetected(_replaced_message(replaced or ["something the checks rely on"]))
