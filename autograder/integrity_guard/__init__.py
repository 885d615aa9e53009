"""Grading safeguards: honest work never loses a point, tampering never gains one.

Threat model
------------
Student code is untrusted and runs in the same kernel as the test cells, before them.
Most students are honest, and their notebooks are full of habits that have nothing to do
with the checks: ``%matplotlib inline``, ``%time``, ``%pdb``, ``%prun``, ``IPython.display``,
prints, plots, progress bars, files, classes of their own, ``print(vars(p))``,
``locals()``, ``dir()``. A defence that refuses those zeroes correct work, which is the
worst thing a grader can do; so the defence rests on what actually protects the grade, and
refuses only what it cannot verify.

What protects the grade, from the outside in:

1. **The file system** (``course grade``): each kernel runs as an unprivileged uid of its
   own, in a private read-only view of the disk without the course (no ``source/``,
   gradebook, other students' work), writing only to its scratch folder, with memory,
   process and file-size limits
   (``autograder/grader_tools/batch_grading/kernel_launcher.py``). Plain
   ``nbgrader autograde`` runs kernels as the grader, without this.

   A grader who is an ordinary user cannot change uid; the kernels get the same view from
   user namespaces instead. Fresh kernels start under bubblewrap (``bubblewrap.py``).
   Warm kernels are forked from a fork server (``user_namespace.py``):

   - The server runs inside bubblewrap. It sees the system and the course's Python
     read-only, no course, no home and no network. It can write only to the run's folder,
     which holds its kernels' scratch folders and IPC socket folders.
   - Each forked kernel gets new user, mount, PID, network and IPC namespaces. Every mount
     is read-only. Empty read-only filesystems cover the run's folder and
     ``/dev/shm``. Only the kernel's own scratch folder (as ``/tmp``) and its own IPC folder
     are bound back, writable.
   - The kernel is PID 1 of its namespace and has a ``/proc`` of its own, so it cannot name
     another kernel, the server or the grader, and cannot signal or ``ptrace`` them. A
     sibling user namespace gives it no capability over them either. It has its own
     loopback, abstract sockets and SysV IPC.
   - Before any student code runs, the capabilities that creating the namespace gave it are
     dropped: the bounding set is emptied and capset sets the rest to zero (``CapEff`` is
     0). ``no_new_privs`` is set, so nothing can give them back (no setuid program,
     no file capability).
   - It cannot undo a mount, and the uid map holds only the grader's own uid.
   - The grader's own process reads the support files in, and copies the written files
     back without following links, as the root launcher does (``kernel_scratch.py``).
   - Where nested namespaces are refused, ``course grade`` says so once and starts fresh
     kernels under bubblewrap.
   - ``tests/multi_user/test_rootless_sandbox.py`` runs two such kernels at once and shows
     that neither sees the other.
2. **Hidden tests that reach the checks only through what the guard verifies.** Each
   hidden test runs inside a function of its own: it imports the checks, NumPy and the
   data itself (``from autograder.gradient_checking import check_values``), keeps its
   inputs and expected values in local variables (no student code can name them) and
   computes the expected values before it hands the student's function a copy of the
   inputs. It reads from the notebook only the student's own functions and answers. So
   rebinding or reading the notebook's names (``check_values = ...``, ``globals()``,
   ``vars()``, ``dir()``) cannot change a hidden check, and is not refused. An import
   reaches a module through ``builtins.__import__`` and ``sys.modules``, which the guard
   records (3); every course module a hidden test imports is loaded and recorded before
   the first cell runs (``kernel_guard.PRELOADED_MODULES``), so no cell can plant one.
3. **The objects the checks rely on** (``kernel_guard``): before any notebook cell runs,
   the kernel records builtins (``__import__`` included), NumPy's namespaces, every
   function and class of the ``autograder`` package (code and defaults included), their
   entries in ``sys.modules``, ``sys``'s hooks and IPython's input transformers,
   exception handlers, display hook, compiler, cell-running methods and the notebook's
   ``__builtins__``. Every check verifies them when it is entered, after every call into
   student code and when it gives its verdict; and an audit hook refuses to start any
   code (each statement of a cell, anything ``exec`` runs) once one was replaced, so a
   hidden test never starts with a replaced module or import machinery. In a grading
   kernel ``get_ipython()`` returns only the four methods a cell's own magics and shell
   commands call, each magic scanned as a cell is (``kernel_guard._CellMagics``). The
   kernel is made non-dumpable (no ``ptrace``, no ``/proc/self/mem`` writes). Checks and
   references compute in the course's NumPy error and print settings, student code in
   the student's (``gradient_checking.numpy_settings``). Partial-credit scores are
   ``Score`` floats whose text ignores ``%precision`` and ``%pprint``.
4. **What could reach around (3)** (``tamper_scan``, refused before execution by
   ``preprocessors.BlockTampering``): the guard's verification is code in the same
   interpreter, so it can be blinded by code that reaches the guard itself, or that acts
   where no verification looks (a frame's local variables, raw memory, a moment between
   two verifications). Only that is refused. Each refused construct, with the attack it
   prevents; ``tests/integrity_guard/test_refusals.py`` runs each attack marked (t) with the
   refusal switched off and shows a wrong answer passing a hidden check:

   - *the guard's own module* (kernel_guard, autograder.integrity_guard) (t): replace its
     verifications, then any comparison;
   - *__import__ (a module by a computed name)* (t), *importlib* (t): the guard's module
     under a name the scan cannot read;
   - *getattr with a computed name* (t), and ``setattr``/``delattr`` with one: the same
     by a computed attribute;
   - *a namespace read beyond its names* (t): ``vars(x)[name]``, ``.values()``,
     ``.items()``, keeping ``globals()`` or ``vars(x)`` in a variable or passing it to
     anything but a reader (``print``, ``pprint``, ``display``, ``repr``, ``sorted``,
     ``len``); reading names (``print(vars(p))``, ``"x" in globals()``,
     ``globals().get("x")``, iterating ``locals()``) is fine;
   - *a reader rebound (print)* (t): a rebound ``print`` receives the namespace it is
     given, and everything in it;
   - *reflective attributes (__globals__)* (t), and ``__closure__``, ``__code__``,
     ``__dict__`` of anything but ``self``, ``__subclasses__``, ``__bases__``/``__mro__``,
     ``__self__``/``__func__``, ``__defaults__``, ``__wrapped__``, ``__reduce__``,
     ``__loader__``/``__spec__``, ``_ip``: the guard's module or a check's state, reached
     from any function or object the student holds;
   - *gc* (t): every object in the kernel, the guard among them;
   - *inspect* (t): the modules and frames of the checks;
   - *exec* (t), *eval and compile* (t), *builtins and __builtins__ (exec under another
     name)* (t), *marshal (code objects)* (t), *runpy (files the grader cannot read)* (t),
     ``code``/``codeop``: code no scan has read, which can do all of the above;
   - *%run (magics that run unread code)* (t), and ``%load``, ``%config`` beyond
     plotting, ``%load_ext`` beyond autoreload, a magic whose code does not parse: the
     same, through IPython;
   - *pickle (unpickling calls any function)* (t), and ``dill``, ``cloudpickle``,
     ``shelve``, ``copyreg``: unpickling calls any function with any arguments;
   - *unittest.mock (patches by a computed name)* (t): ``mock.patch("...kernel_guard...")``;
   - *ipykernel (the kernel's own shell)* (t), *the shell behind exit (_ip)* (t), and
     ``jupyter_client``, ``zmq``, ``traitlets``, ``nbgrader``, ``IPython`` beyond
     ``IPython.display``: the real shell, whose ``run_cell`` runs unread code;
   - *frames (sys._getframe, f_back, f_locals)* (t), *a traceback's frame (tb_frame)* (t),
     generator and coroutine frames: a hidden check's local expected value, changed from
     the student's function while the check waits for it;
   - *a trace function (settrace)* (t), and ``setprofile``, ``_current_frames``: the same,
     from a function that then removes itself before the verdict;
   - *ctypes (the interpreter's own functions and memory)* (t), ``numpy.ctypeslib``,
     ``.ctypes``, ``as_strided``, and classes defining ``__array_interface__`` or
     ``__array_struct__``: raw memory, where the guard does not look;
   - threads (``threading``, ``_thread``, ``concurrent``, ``multiprocessing``), signal
     handlers, ``weakref`` finalizers and ``__del__``: code that runs at a moment of its
     own choosing, between two verifications (no deterministic test: the attack is a
     race).

   A module reached under another name (``alias = [np][0]; alias.allclose = f``), a
   write to a library's or the course's attributes, ``sys.modules`` replaced, a display
   hook replaced: the scan lets these through, and the guard names them.
5. **Inside the checks**: only exact ``numpy.ndarray`` results are accepted (no subclass,
   no ``__eq__``/``__array__`` impostor), student code is called with warnings and output
   silenced, ``SystemExit`` is caught. A student's own class with dunder methods is fine.
6. **After execution**, in nbgrader's process: ``preprocessors.GuardGradeOutputs`` turns a
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
And what a hidden test takes points for, the visible check or the instructions say first
(``tests/test_assignment_grading.py`` checks this over the whole simulation catalogue).

Limits: the scan is still a list of Python's ways in; an unknown way past it that also
avoids (3) would spoil only that student's own grade (the sandbox holds the rest), and an
instructor reviewing a suspicious score in the formgrader remains the last line. Shell
commands (``!ls``) run as the student's kernel, isolated by (1); under plain ``nbgrader
autograde`` they, like ``open()``, reach whatever the grader can.
"""
