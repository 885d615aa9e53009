"""Grade a whole class with nbgrader's own autograde, several submissions at a time.

- ``course grade``, one way through (each module imports only those below it):
  ``class_grader`` (``grade_class``: the roster, the journal, resuming, choosing the
  engine) -> ``grading_engine`` (the interface: slots that autograde one submission at a
  time) with its two engines, ``local_worker_pool`` (grading processes on this machine)
  and ``dask_engine`` (one Dask task per submission; ``dask_tasks`` is what runs on the
  cluster's workers) -> ``grading_worker`` (one long-lived process running
  ``NbGraderAPI.autograde`` per student, over a ``multiprocessing`` pipe).
  ``grading_settings`` (``CourseGrade``: every setting, as traitlets) configures them,
  ``worker_settings`` gives each grading process its nbgrader overrides and sandbox,
  ``submission_grading`` grades one submission on a slot (retries, status), and
  ``grading_results`` holds each student's result, score and the printed summary.
- The kernel-launch path, one way (each module imports only those after it):
  ``grading_kernelspec`` (the kernelspec nbgrader is pointed at) -> ``fork_server_provisioner``
  (jupyter_client's side of the fork server, as root) -> ``kernel_fork_server`` (a warm
  process that imported ipykernel, NumPy and the checks once, forking launchers) ->
  ``kernel_launcher`` (each student kernel in a read-only view of the disk without the
  course, with no network and resource limits) -> ``bubblewrap`` (a grader who is an
  ordinary user) or ``mount_namespace`` (root, the kernel as an unprivileged uid) ->
  the kernel (``execve``, or ``forked_kernel`` from the warm process); ``kernel_scratch``
  is the kernel's folder (the files it starts with, those copied back). ``dies_with_parent``
  and ``sandbox_errors`` (their error) serve them all.
- ``grading_journal``: which submissions a run finished (for resuming after a kill).
- ``submission_status``: what happened to one submission, as data (kinds and details).
- ``class_report``: ``course report``: CSVs, pass rates, diagnosed bugs, quiz answers,
  histogram, nbgrader feedback.
- ``lms_export``: an nbgrader export plugin, one row per student for an LMS.
- ``canvas_export``: an nbgrader export plugin writing Canvas's gradebook import CSV.
- ``gradescope_results``: an nbgrader export plugin writing Gradescope's ``results.json``
  per student (its schema beside it).

Simulated classes for tests and demonstrations: ``course_simulation``.
"""
