"""Writing files and folders whole: a reader, or a run killed mid-write, sees the old
version or the new one, never a mix.

    with written_whole("runs/x/recipe.json") as path:
        path.write_text(text)
"""

import contextlib
import os
import pathlib
import shutil
import tempfile


@contextlib.contextmanager
def written_whole(path):
    """Yields a place beside `path` to write a file or folder into. If the block ends
    without an error, what was written there replaces `path` by a rename; either way
    nothing else is left behind, so a failed write leaves `path` as it was."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        written = staging / path.name
        yield written
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        os.replace(written, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
