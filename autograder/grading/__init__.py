"""Grading safeguards: honest work never loses a point, tampering never gains one.

Threat model
------------
Student code is untrusted and runs in the same kernel as the test cells, before them.
Most students are honest, and their notebooks are full of habits that have nothing to do
with the checks: ``%matplotlib inline``, ``%time``, ``IPython.display``, prints, plots,
progress bars, files, classes of their own. A defence that refuses those zeroes correct
work, which is the worst thing a grader can do; so the defence rests on what actually
protects the grade, and refuses only what could defeat it.

What protects the grade, from the outside in:

1. **The file system** (``course grade``): each kernel runs as an unprivileged uid of its
   own, in a private read-only view of the disk without the course (no ``source/``,
   gradebook, other students' work), writing only to its scratch folder, with memory,
   process and file-size limits (``autograder/batch_grading/kernel_sandbox.py``). Plain
   ``nbgrader autograde`` runs kernels as the grader, without this.
2. **The objects the checks rely on** (``kernel_guard``): before any notebook cell runs,
   the kernel records builtins, NumPy's namespaces, every function and class of the
   ``autograder`` package (code and defaults included), ``sys``'s hooks and IPython's input
   transformers, exception handlers, display hook and cell-running methods. Every check
   verifies them when it is entered, after every call into student code, and when it
   gives its verdict (``assert_passed``, ``score``); a replaced object fails the check by
   name. A course module first imported by a locked cell (the quiz engine) is recorded
   before the next cell runs, before any student cell can reach it. The kernel is also
   made non-dumpable (no ``ptrace``, no ``/proc/self/mem`` writes by its own uid).
   Partial-credit scores are ``Score`` floats whose text ignores ``%precision`` and
   ``%pprint``.
3. **What could reach around (2)** (``tamper_scan``, refused before execution by
   ``preprocessors.BlockTampering``): the guard can only be defeated by code that reaches
   inside objects or the interpreter, and that is what the scan refuses, in a short list
   (see ``tamper_scan``'s doc): reflection (``__globals__``, ``__code__``, foreign
   ``__dict__``, frames, ``sys.modules``, ``exec``/``eval``, ``globals()`` held or written),
   the modules made for it (``ctypes``, ``gc``, ``inspect``, ``importlib``, ``pickle``,
   ``unittest.mock``, IPython's machinery, ``__main__``), code that runs at moments of its
   own choosing (threads, signal handlers, ``__del__``), raw memory (``as_strided``,
   ``__array_interface__``), ``get_ipython()`` and magics that run unread code, writing to
   a library's attributes, rebinding what the assignment provides, and any route to the
   guard itself (``kernel_guard``, its state). A module reached under another name
   (``alias = [np][0]; alias.allclose = f``) passes the scan and is caught by (2).
4. **Inside the checks**: only exact ``numpy.ndarray`` results are accepted (no subclass,
   no ``__eq__``/``__array__`` impostor), student code is called with warnings and output
   silenced, ``SystemExit`` is caught. A student's own class with dunder methods is fine.
5. **After execution**, in nbgrader's process: ``preprocessors.GuardGradeOutputs`` turns a
   partial-credit output that is not a finite float in ``[0, points]`` into an error.

Why verify the objects rather than hide the checks in a namespace the student cannot
reach: the checks must call the student's functions, and while they run, that code shares
the interpreter with the checks (NumPy, builtins, the course package, IPython). A second
namespace in the same interpreter is reachable by the same reflection the scan refuses,
so it would need the scan anyway and protect nothing more; a second process (the hidden
checks in a kernel of their own) cannot receive the closures, classes and state a
student's code builds without pickling, which runs code of the student's choosing, and
would double every kernel start. Verification keeps nbgrader's model (one kernel, cells
in order), costs a comparison of identities per recorded name at each verdict, and names
what was replaced, so an honest student who shadowed something by accident learns which.

No surprise at submission: a refused line is named, with the student's own text and the
reason, by every check that runs after it, in JupyterLab and under ``nbgrader validate``
(and the Validate button) alike, because the checks scan the cells the kernel has run.
When grading, ``BlockTampering`` replaces that cell (in the autograded copy only) by a
call to ``kernel_guard.refuse_cell``, so the same checks fail with the same words: every
check that runs after the refused cell fails, the checks before it keep their points.

Limits: the scan is still a list of Python's ways in; an unknown way past it that also
avoids (2) would spoil only that student's own grade (the sandbox holds the rest), and an
instructor reviewing a suspicious score in the formgrader remains the last line. Shell
commands (``!ls``) run as the student's kernel, isolated by (1); under plain ``nbgrader
autograde`` they, like ``open()``, reach whatever the grader can.
"""
