"""Replace a file so that a crash or a kill at any moment leaves the old file or the new one.

The one atomic write of the package: the student's runtime saves quiz answers and the
quiz identity with it (``quiz_engine``), the grader's tools their grading journal
(``grader_tools.batch_grading.grading_journal``). It needs only the standard library, so
both layers may import it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomically(
    path: Path, content: str | bytes, mode: int | None = 0o644, partial: Path | None = None
) -> None:
    """Replace ``path`` with ``content`` (text is written as UTF-8), durably.

    The content goes to a temporary file in the same folder: ``partial`` when the caller
    is the file's only writer and wants one known name (a killed run leaves that one file,
    which the next write replaces), else a fresh unique name. It is flushed to disk
    (``fsync``), given ``mode`` (None: as created, the umask's for ``partial``, 0600 for
    a unique name), renamed over ``path``, and the folder is synced, so that the rename
    itself survives a power cut.
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if partial is None:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        temporary = Path(name)
    else:
        temporary = Path(partial)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            if stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # a FIFO cannot be synced
                os.fsync(file.fileno())
            if mode is not None:
                os.fchmod(file.fileno(), mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename in it) to disk."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
