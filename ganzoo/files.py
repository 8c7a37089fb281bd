"""Writing files and folders whole: a reader, or a run killed mid-write, sees the old
version or the new one, never a mix.

    with written_whole("runs/x/recipe.json") as path:
        path.write_text(text)

The new version is written into a staging folder beside the target (`.NAME.XXXXXXXX`),
then renamed into place. A file replaces the old one in one rename. A folder cannot be
renamed over a folder, so the old one is first moved into the staging folder, the new
one moved in, and the staging folder (with the old one) deleted; a kill between the two
renames leaves the new version complete in the staging folder, and the next
`written_whole` or `recover` of the same target finishes the move. Staging folders of
writes killed before they were complete are deleted then too.
"""

import contextlib
import errno
import os
import pathlib
import shutil
import tempfile

from ganzoo.errors import GanzooError, WriteError

OLD = ".old"  # inside a staging folder: the target it is replacing, moved aside


def staging_folders(path):
    """The staging folders that writes of `path` left behind."""
    return sorted(path.parent.glob(f".{path.name}.*")) if path.parent.is_dir() else []


def recover(path):
    """Finishes or undoes the writes of `path` that a kill interrupted.

    A staging folder holding the moved-aside old version was past its writing, so the
    new version beside it is complete: it is moved into place (if a kill came between
    the two renames). Every other staging folder is an unfinished write: deleted.
    """
    path = pathlib.Path(path)
    for staging in staging_folders(path):
        written = staging / path.name
        if (staging / OLD).exists() and written.exists() and not path.exists():
            os.replace(written, path)
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def written_whole(path):
    """Yields a place beside `path` to write a file or folder into. If the block ends
    without an error, what was written there replaces `path`; either way nothing else
    is left behind, so a failed write leaves `path` as it was.

    Raises:
        WriteError: the folder cannot be written (full disk, read-only, permission),
            in one line naming the path; `path` is left as it was.
    """
    path = pathlib.Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        recover(path)
        staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as error:
        raise write_error(path, error) from None
    try:
        written = staging / path.name
        try:
            yield written
        except GanzooError:
            raise  # already says what is wrong (a missing input, a disk without room)
        except OSError as error:
            raise write_error(path, error) from None
        try:
            if path.is_dir() and not path.is_symlink():
                os.replace(path, staging / OLD)  # a folder cannot be renamed over a folder
            os.replace(written, path)
        except OSError as error:
            raise write_error(path, error) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_error(path, error):
    """A one-line `WriteError` for an OSError met while writing `path`."""
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }.get(error.errno, error.strerror or str(error))
    return WriteError(
        error.errno,
        f"cannot write {path}: {reason}. Nothing was half-written; free space or "
        "choose a writable folder, then run the same command again.",
    )


def make_folder(folder):
    """Creates `folder` (and its parents) if missing; returns it as a `pathlib.Path`.

    Raises:
        WriteError: it cannot be created (read-only, permission), in one line.
    """
    folder = pathlib.Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(folder, error) from None
    return folder


def require_space(folder, size, margin=1.2):
    """Raises WriteError unless `folder`'s disk has room for `size` bytes (with a margin),
    so that a write fails with a clear line before it starts (HDF5 crashes the process
    when the disk fills up in the middle of a file)."""
    folder = make_folder(folder)
    free = shutil.disk_usage(folder).free
    if free < size * margin:
        raise WriteError(
            errno.ENOSPC,
            f"cannot write {size / 1e6:.1f} MB into {folder}: only {free / 1e6:.1f} MB free. "
            "Nothing was written; free space or choose another folder, then run the same "
            "command again.",
        )
