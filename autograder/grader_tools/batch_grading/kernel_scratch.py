"""The kernel's scratch folder: what a grading kernel starts with, and what it leaves.

``kernel_launcher`` reads the assignment's support files (everything in the working
directory but notebooks) and the kernel's connection file before isolating the kernel
(``read_support_files``), writes them into the scratch folder with the kernel's private
home and temporary folders (``write_scratch``); the kernel sees that folder as ``SCRATCH``,
its working directory and the only place it can write. When the kernel ends, every file the
notebook created or changed there is copied into the autograded folder
(``copy_new_files``), as it would be had nbgrader run the kernel in that folder; a link the
student made is never followed.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from autograder.grader_tools.batch_grading.sandbox_errors import SandboxError

SCRATCH = Path("/tmp")  # where the kernel sees its scratch folder
SUPPORT_FILES_MAX_MB = 64
# Inside the scratch folder: the kernel's home (caches) and temporary files, the connection
# file. They stay behind when the kernel ends; everything else the notebook wrote is copied
# to the autograded folder, as nbgrader does when the kernel runs there.
PRIVATE_FOLDERS = (".sandbox-home", ".sandbox-tmp")
CONNECTION_NAME = ".kernel-connection.json"


def read_support_files(folder: Path) -> dict[Path, bytes]:
    """The assignment's files the kernel may need (data, answers saved by a widget)."""
    files, total = {}, 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb":
            files[path.relative_to(folder)] = path.read_bytes()
            total += len(files[path.relative_to(folder)])
            if total > SUPPORT_FILES_MAX_MB * 1024 * 1024:
                raise SandboxError(f"{folder} holds more than {SUPPORT_FILES_MAX_MB} MB of files")
    return files


def write_scratch(scratch: Path, files: dict[Path, bytes], owner: int | None) -> None:
    """The kernel's home and temporary folders, then the files it starts with."""
    for private in PRIVATE_FOLDERS:
        (scratch / private).mkdir(mode=0o700)
        if owner is not None:
            os.chown(scratch / private, owner, owner)
    # Only what was written here is handed to the student (not binds kept under /tmp).
    for relative, content in files.items():
        (scratch / relative).parent.mkdir(parents=True, exist_ok=True)
        (scratch / relative).write_bytes(content)
        for part in [relative, *relative.parents[:-1]]:
            if owner is not None:
                os.chown(scratch / part, owner, owner, follow_symlinks=False)


def copy_new_files(scratch: Path, results_folder: int, written: dict[Path, bytes]) -> None:
    """Copy every regular file the kernel created or changed in ``scratch`` into the folder
    open as ``results_folder`` (never following a link the student made), as root."""
    scratch_device = os.lstat(scratch).st_dev
    for folder, subfolders, files in os.walk(scratch):
        relative_folder = Path(folder).relative_to(scratch)
        # Not the kernel's home and temporary files, and nothing bound in from elsewhere (a
        # virtual environment kept under /tmp is bound back read-only into the scratch).
        subfolders[:] = [
            d
            for d in subfolders
            if not (relative_folder == Path(".") and d in PRIVATE_FOLDERS)
            and os.lstat(Path(folder) / d).st_dev == scratch_device
        ]
        for name in files:
            relative = relative_folder / name
            source = Path(folder) / name
            status = source.lstat()
            if relative == Path(CONNECTION_NAME) or not stat.S_ISREG(status.st_mode):
                continue
            if status.st_dev != scratch_device:
                continue
            content = source.read_bytes()
            if written.get(relative) == content:
                continue
            _write_below(results_folder, relative, content)


def _write_below(folder: int, relative: Path, content: bytes) -> None:
    handle = os.dup(folder)
    try:
        for part in relative.parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, mode=0o755, dir_fd=handle)
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=handle)
            os.close(handle)
            handle = inner
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        descriptor = os.open(relative.name, flags, 0o644, dir_fd=handle)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
    finally:
        os.close(handle)
