"""Each message ``read_nbgrader_log`` recognises, as nbgrader 0.9.6 wrote it.

The logs below are excerpts (the traceback frames cut) of real runs of ``NbGraderAPI.autograde``
(its ``log``, then its ``error``, as ``grading_worker`` passes them on) and of ``nbgrader
autograde`` on the command line, on a one-notebook course: a submission that ends its
kernel (``os._exit(1)``), a kernelspec whose kernel exits at once, a gradebook another
process held locked (``BEGIN EXCLUSIVE``). Where each line comes from is named above it.
"""

from autograder.grader_tools.batch_grading.submission_status import ProblemKind, status_of_graded
from autograder.grader_tools.nbgrader_log import NbgraderLog, read_nbgrader_log

# A submission graded without incident (nbgrader/converters/autograde.py, base.py: INFO only).
GRADED = """\
[INFO] Creating/updating student with ID 's1': {}
[INFO] Overwriting files with master versions from the source directory
[INFO] Sanitizing /course/submitted/s1/ps1/p1.ipynb
[INFO] Converting notebook /course/submitted/s1/ps1/p1.ipynb
[INFO] Writing 1019 bytes to /course/autograded/s1/ps1/p1.ipynb
[INFO] Autograding /course/autograded/s1/ps1/p1.ipynb
[INFO] Converting notebook /course/autograded/s1/ps1/p1.ipynb
[INFO] Writing 2377 bytes to /course/autograded/s1/ps1/p1.ipynb
"""

# The kernel died while a cell ran: nbclient/client.py logs line 863 and raises line 1009;
# nbgrader/converters/base.py logs lines 447-448 and 454-467, and raises NbGraderException.
KERNEL_DIED = """\
[INFO] Autograding /course/autograded/s1/ps1/p1.ipynb
[INFO] Converting notebook /course/autograded/s1/ps1/p1.ipynb
[ERROR] Kernel died while waiting for execute reply.
[ERROR] There was an error processing assignment: /course/submitted/s1/ps1
[ERROR] Traceback (most recent call last):
      File ".../nbclient/client.py", line 1009, in async_execute_cell
        raise DeadKernelError("Kernel died") from None
    nbclient.exceptions.DeadKernelError: Kernel died

[WARNING] Removing failed assignment: /course/autograded/s1/ps1
[ERROR] There was an error processing assignment 'ps1' for student 's1'
[ERROR] Please see the the above traceback for details on the specific errors on the above failures.
Traceback (most recent call last):
  File ".../nbgrader/converters/base.py", line 468, in convert_notebooks
    raise NbGraderException(msg)
nbgrader.converters.base.NbGraderException: Please see the the above traceback for details on \
the specific errors on the above failures.
"""

# The kernel exited before it answered: jupyter_client/client.py line 206-207 raises,
# nbclient/client.py logs it; nbgrader/converters/base.py as above (the command line's format).
KERNEL_DIED_AT_START = """\
[AutogradeApp | INFO] Converting notebook /course/autograded/s1/ps1/p1.ipynb
[AutogradeApp | ERROR] Error occurred while starting new kernel client for kernel \
bf18e6e9-53fb-49d1-962a-11abec5e00e1: Kernel died before replying to kernel_info
[AutogradeApp | ERROR] There was an error processing assignment: /course/submitted/s1/ps1
[AutogradeApp | ERROR] Traceback (most recent call last):
      File ".../jupyter_client/client.py", line 207, in _async_wait_for_ready
        raise RuntimeError(msg)
    RuntimeError: Kernel died before replying to kernel_info

[AutogradeApp | WARNING] Removing failed assignment: /course/autograded/s1/ps1
[AutogradeApp | ERROR] There was an error processing assignment 'ps1' for student 's1'
[AutogradeApp | ERROR] Please see the the above traceback for details on the specific errors \
on the above failures.
"""

# Another process held the gradebook: nbgrader/converters/base.py lines 407-419 log the
# traceback and the advice, and raise NbGraderException.
DATABASE_LOCKED = """\
[INFO] Creating/updating student with ID 's1': {}
[ERROR] Traceback (most recent call last):
    sqlite3.OperationalError: database is locked

    The above exception was the direct cause of the following exception:

    Traceback (most recent call last):
        cursor.execute(statement, parameters)
    sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked
    [SQL: SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite~_%' \
ESCAPE '~' ORDER BY name]

[ERROR] There was an error accessing the nbgrader database. This may occur if you recently \
upgraded nbgrader. To resolve the issue, first BACK UP your database and then run the \
command `nbgrader db upgrade`.
"""


def test_a_graded_submissions_log_says_nothing_notable():
    assert read_nbgrader_log(GRADED) == NbgraderLog()


def test_a_kernel_that_died_in_a_cell():
    said = read_nbgrader_log(KERNEL_DIED)
    assert said.kernel_died and not said.kernel_died_at_start and not said.transient
    assert said.errors[0] == "[ERROR] Kernel died while waiting for execute reply."
    assert said.exceptions == ()  # only qualified names: none a reason can quote


def test_a_kernel_that_died_before_it_answered_is_a_transient_failure():
    said = read_nbgrader_log(KERNEL_DIED_AT_START)
    assert said.kernel_died_at_start and said.transient
    assert said.kernel_died  # when the retries are spent, the submission's kernel died


def test_a_locked_gradebook_is_a_transient_failure():
    said = read_nbgrader_log(DATABASE_LOCKED)
    assert said.database_locked and said.transient and not said.kernel_died


def test_error_lines_in_the_apis_format_and_the_command_lines():
    api = read_nbgrader_log(DATABASE_LOCKED)
    assert api.errors == (
        "[ERROR] Traceback (most recent call last):",
        "[ERROR] There was an error accessing the nbgrader database. This may occur if you "
        "recently upgraded nbgrader. To resolve the issue, first BACK UP your database and "
        "then run the command `nbgrader db upgrade`.",
    )
    command = read_nbgrader_log(KERNEL_DIED_AT_START)
    assert len(command.errors) == 5
    assert command.errors[1] == (
        "[AutogradeApp | ERROR] There was an error processing assignment: /course/submitted/s1/ps1"
    )
    assert not any("WARNING" in line or "INFO" in line for line in command.errors)


def test_an_exception_line_names_the_reason():
    said = read_nbgrader_log(KERNEL_DIED_AT_START)
    assert said.exceptions == ("RuntimeError: Kernel died before replying to kernel_info",)


def test_the_status_takes_from_the_log_only_what_nbgrader_says_nowhere_else(tmp_path):
    missing = tmp_path / "autograded.ipynb"  # nbgrader removes a failed grading's notebook
    died = status_of_graded(tmp_path / "submitted.ipynb", missing, [], KERNEL_DIED)
    assert died.kinds == [ProblemKind.KERNEL_DIED]
    locked = status_of_graded(tmp_path / "submitted.ipynb", missing, [], DATABASE_LOCKED)
    assert locked.kinds == [ProblemKind.NOT_GRADED]
    assert locked.problems[0].detail == "[ERROR] Traceback (most recent call last):"
