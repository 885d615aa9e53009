"""The grader's and instructor's tools: they run in nbgrader's or the ``course`` command's
process, never in a student's kernel.

- ``course_commands``: the ``course`` command (thin CLI, one function per subcommand).
- ``batch_grading``: ``course grade`` / ``course report`` for a whole class.
- ``student_feedback``: nbgrader ``GenerateFeedback`` preprocessors and template.
- ``integrity_preprocessors``: nbgrader preprocessors that keep tampering out of the gradebook.
- ``nbgrader_course``, ``site_config``, ``exchange_access``, ``private_exchange``: one
  nbgrader course, its settings and its exchange.
- ``deadlines``, ``due_date_header``, ``own_due_date_collect``: due dates and extensions.
- ``course_files``, ``course_options``, ``release_sync``, ``notebook_hygiene``: reading
  course files, option ranges, generating ``release/``, clean notebooks.
- ``notebook_records``: what the grader's preprocessors write into notebooks, defined once.
- ``nbgrader_log``: the one reader of nbgrader's log text (what it says nowhere else).
"""
