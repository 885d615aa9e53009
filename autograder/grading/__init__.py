"""Grading safeguards that run in nbgrader's process, where student code cannot reach.

Threat model
------------
Student code is untrusted and runs in the same kernel as the test cells, before
them. Whatever runs in that kernel can be subverted by code that ran earlier: it can
replace NumPy's or the checker's functions, change builtins, install an IPython
input transformer that rewrites later cells or an exception handler that hides
failures, exit the kernel, or return objects whose ``__eq__`` or ``__array__`` lie.
No check *inside* the kernel can be trusted once such code has run.

So the defence sits outside the kernel, in nbgrader's own process:

1. ``tamper_scan`` reads every cell a student can edit (nbgrader restores the locked
   and test cells from its database, so only those can carry an attack) and flags the
   constructs an attack needs and a backprop exercise never does: imports of the
   interpreter's machinery (``os``, ``sys``, ``builtins``, ``importlib``, ``IPython``,
   ``ctypes``, ...) or reaching them as attributes of another module
   (``np.testing._private.utils.sys``), ``exec``/``eval``/``compile``/``__import__``,
   ``getattr`` with a computed name, ``setattr``/``globals``, ``get_ipython`` and
   magics, ``exit``, dunder
   attributes (``__code__``, ``__class__``, ``__globals__``, ...), assignments to a
   module's attributes (``np.allclose = ...``), rebinding a name the locked cells
   define (``check_values = ...``), and classes that define comparison or array
   protocols (``__eq__``, ``__array__``, ...) or subclass ``np.ndarray``.
2. ``preprocessors.BlockTampering`` runs before execution: a flagged cell is replaced
   (in the autograded copy only; the submission is never changed) by a ``raise`` that
   says what was found, so the attack never runs, not even an exit.
3. ``preprocessors.GuardGradeOutputs`` runs after execution, before nbgrader saves the
   grades: every graded cell of a flagged notebook gets an error (score 0), and a
   partial-credit output that is not a finite float in ``[0, points]`` becomes an error
   instead of nbgrader's "full marks" (NaN, booleans, NumPy scalars) or a broken
   submission (a value above the maximum).

Inside the kernel, the checks add what they can: they accept only exact
``numpy.ndarray`` objects (no subclasses, no ``__array__`` impostors), call student
code with warnings and output silenced, and catch ``SystemExit``.

Around the kernel, ``course grade`` adds what the operating system offers
(``autograder/batch_grading/kernel_sandbox.py``): the kernel runs as an unprivileged uid
of its own in a private, read-only view of the disk without the course (no ``source/``,
gradebook, other students' work or autograded notebooks), writes only to its own scratch
``/tmp``, and has memory, process and file-size limits. Whatever the scan misses can then
spoil only that student's own grade, never read the answers or touch anyone else's work.
Plain ``nbgrader autograde`` runs kernels as the grader, without this.

Limits: the scan is a deny-list over Python's syntax; an attack it does not know
(say, a new obfuscation) is not caught by it, and an instructor reviewing a
suspicious score in the formgrader remains the last line. A flagged cell scores 0
even if its intent was innocent; the feedback names the line so the student can ask.
"""
