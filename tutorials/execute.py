"""Runs the tutorials top to bottom and records their outputs.

    python tutorials/execute.py                          # every notebook, each on its backends
    python tutorials/execute.py tutorials/01_first_gan.ipynb --backend jax --check

A notebook names the backends it runs on in its metadata (`"ganzoo": {"backends": [...]}`);
the committed outputs are those of the first. Each run starts a fresh kernel with
KERAS_BACKEND set, in a scratch folder (the files a notebook writes stay out of the
repository), and fails on the first cell that raises. Without `--check` the notebook is
saved with its new outputs, each code cell stamped with the sha256 of its source
(`metadata.ganzoo.source_sha256`), so `tests/test_tutorials.py` can tell outputs that
no longer belong to their code. With `--check` nothing is written and the outputs are
compared with the committed ones, in kind (see `output_kinds`).
"""

import argparse
import hashlib
import os
import pathlib
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

FOLDER = pathlib.Path(__file__).resolve().parent
TIMEOUT = 600  # seconds a cell may take


def notebooks():
    return sorted(FOLDER.glob("[0-9][0-9]_*.ipynb"))


def backends(notebook):
    return notebook.metadata["ganzoo"]["backends"]


def source_sha256(cell):
    return hashlib.sha256(cell.source.encode()).hexdigest()


def output_kinds(cell):
    """What a code cell printed, in kind: each output's type and, for data, its MIME
    types (an image stays an image, a table a table; numbers may differ). Standard error
    is left out: the backends' start-up logs differ from machine to machine."""
    kinds = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            continue
        if output.output_type == "stream":
            kind = ("stream", output.name)
        elif output.output_type == "error":
            kind = ("error", output.ename)
        else:
            kind = (output.output_type, tuple(sorted(output.get("data", {}))))
        kinds.append(kind)
    # Once each, in order of first appearance: a stream arrives in pieces, and a progress
    # bar (shown only when work is slow) adds to a cell's printed text.
    return list(dict.fromkeys(kinds))


def execute(path, backend):
    """Runs the notebook at `path` on `backend` in a fresh kernel and a scratch folder;
    returns the executed notebook and the seconds it took. Raises nbclient's
    CellExecutionError at the first cell that fails."""
    notebook = nbformat.read(path, as_version=4)
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONWARNINGS": "ignore"}
    with tempfile.TemporaryDirectory() as scratch:
        client = NotebookClient(
            notebook,
            timeout=TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": scratch}},
        )
        start = time.perf_counter()
        client.execute(env=env)
    return notebook, time.perf_counter() - start


def stamp(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.metadata["ganzoo"] = {"source_sha256": source_sha256(cell)}
    return notebook


def main(argv):
    parser = argparse.ArgumentParser(prog="python tutorials/execute.py")
    parser.add_argument("paths", nargs="*", type=pathlib.Path)
    parser.add_argument("--backend", help="run on this backend only")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    for path in args.paths or notebooks():
        committed = nbformat.read(path, as_version=4)
        for backend in [args.backend] if args.backend else backends(committed):
            executed, seconds = execute(path, backend)
            print(f"{path.name} on {backend}: {seconds:.0f} s", flush=True)
            if args.check:
                for old, new in zip(committed.cells, executed.cells, strict=True):
                    if old.cell_type == "code" and output_kinds(old) != output_kinds(new):
                        print(f"  outputs differ in kind: {old.source[:60]!r}")
                        return 1
            elif backend == backends(committed)[0]:
                nbformat.write(stamp(executed), path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
