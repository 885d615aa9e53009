"""Grade a whole class with nbgrader's own autograde, several submissions at a time.

- ``class_grader``: ``grade_class`` (``course grade``): parallel workers, statuses, resume.
- ``grading_worker``: one long-lived process running ``NbGraderAPI.autograde`` per student.
- ``dask_grading``: ``course grade --scheduler``: one Dask task per submission, running
  the same grading worker on the cluster's machines.
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
