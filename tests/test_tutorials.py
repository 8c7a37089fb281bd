"""The tutorials: committed with the outputs of a real run of their current code, using
only documented public API; the slow lane runs each top to bottom on its backends."""

import ast
import os
import pathlib

import nbformat
import pytest

from tutorials.execute import backends, execute, notebooks, output_kinds, source_sha256

pytestmark = [pytest.mark.one_backend, pytest.mark.long_run]

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = notebooks()


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def read(path):
    return nbformat.read(path, as_version=4)


def test_every_notebook_is_in_the_index():
    index = (ROOT / "tutorials" / "README.md").read_text()
    assert len(NOTEBOOKS) == 8
    for path in NOTEBOOKS:
        assert f"]({path.name})" in index, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_outputs_are_those_of_the_current_code(path):
    """Run top to bottom in one kernel, no cell failed, each cell's outputs recorded
    for the source it has now (`python tutorials/execute.py` refreshes them)."""
    cells = code_cells(read(path))
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        assert ("error", None) not in [(o.output_type, None) for o in cell.outputs]
        recorded = cell.metadata.get("ganzoo", {}).get("source_sha256")
        assert recorded == source_sha256(cell), f"stale outputs for: {cell.source[:80]!r}"
    shown = [
        o
        for cell in cells
        for o in cell.outputs
        if {"image/png", "text/markdown"} & set(o.get("data", {}))
    ]
    assert shown, "a reader on GitHub sees the pictures or tables of a real run"


def documented_names():
    """The README and the documentation site's pages (guides and API reference)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(page.read_text() for page in pages if "tutorials" not in page.parts)


def ganzoo_names(source):
    """The ganzoo names a cell uses: what it imports from ganzoo and the attributes it
    takes of ganzoo modules (`ganzoo.DCGAN`, `metrics.sample_scores`)."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if line[:1] not in "%!"))
    modules, names = {"ganzoo"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module.startswith("ganzoo"):
            names.update((node.module, alias.name) for alias in node.names)
            modules.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            assert not [a.name for a in node.names if a.name.startswith("ganzoo.")], source
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in modules:
                names.add((node.value.id, node.attr))
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_use_only_documented_public_api(path):
    readme = documented_names()
    for cell in code_cells(read(path)):
        assert "sys.path" not in cell.source
        for module, name in ganzoo_names(cell.source):
            assert not name.startswith("_"), f"{module}.{name} is private"
            assert name in readme, (
                f"{module}.{name} (used in {path.name}) is not in the README or the docs"
            )


RUNS = [
    pytest.param(path, backend, id=f"{path.stem}-{backend}")
    for path in NOTEBOOKS
    for backend in backends(read(path))
]


@pytest.mark.every_backend  # each lane runs the notebooks of its backend
@pytest.mark.slow
@pytest.mark.parametrize("path, backend", RUNS)
def test_a_notebook_runs_top_to_bottom(path, backend):
    """On the backend under test only: CI runs each notebook on its backends."""
    if backend != os.environ.get("KERAS_BACKEND", "tensorflow"):
        pytest.skip(f"{path.name} runs on {backend}")
    executed, _ = execute(path, backend)  # raises at the first failing cell
    committed = code_cells(read(path))
    for old, new in zip(committed, code_cells(executed), strict=True):
        assert output_kinds(new) == output_kinds(old), (
            f"outputs changed in kind: {old.source[:80]!r}"
        )
