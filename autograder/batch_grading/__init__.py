"""Grade a whole class with nbgrader's own autograde, several submissions at a time.

- ``class_grader``: run ``nbgrader autograde --student S`` for every submission in
  parallel, with a progress bar, per-student statuses and resume.
- ``submission_status``: what happened to one submission, in a few words.
- ``simulated_class``: write a deterministic class of submissions for tests and demos.

Work in progress (issue 7): kernel isolation as an unprivileged user, memory limits,
the class report and the 40-student benchmark are not built yet.
"""
