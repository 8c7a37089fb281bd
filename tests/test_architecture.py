"""The package's import graph: data flows one way, from data through models to the zoo
and the command line (docs/ARCHITECTURE.md). Read from the source with `ast`, so the
test needs no backend."""

import ast
import pathlib

import pytest

pytestmark = pytest.mark.one_backend

PACKAGE = pathlib.Path(__file__).parents[1] / "ganzoo"

# The layers, bottom to top, written once: a module may import its own layer and those
# below it. A module belongs to the longest prefix listed.
LAYERS = (
    (
        "ganzoo.version",
        "ganzoo.errors",
        "ganzoo.arguments",
        "ganzoo.colours",
        "ganzoo.resources",
        "ganzoo.files",
        "ganzoo.progress",
        "ganzoo.interrupts",
        "ganzoo.optional",
    ),
    ("ganzoo.data",),
    ("ganzoo.backend",),
    (
        "ganzoo.blocks",
        "ganzoo.losses",
        "ganzoo.augment",
        "ganzoo.latents",
        "ganzoo.schedules",
        "ganzoo.presets",
    ),
    ("ganzoo.training",),
    ("ganzoo.models",),
    ("ganzoo.metrics", "ganzoo.images", "ganzoo.pages", "ganzoo.callbacks"),
    ("ganzoo.zoo",),
    ("ganzoo.cli",),
)
LOCAL_REASON = "# local:"  # a function-local import says why, on its block's first line


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(module):
    prefixes = [
        (len(p), i)
        for i, names in enumerate(LAYERS)
        for p in names
        if module == p or module.startswith(p + ".")
    ]
    assert prefixes, f"{module} is in no layer of LAYERS"
    return max(prefixes)[1]


def imported_modules(node):
    """The ganzoo modules an import statement imports (`from ganzoo import data` is
    ganzoo.data; `from ganzoo import __version__` is the package root)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        names = [f"{node.module}.{alias.name}" for alias in node.names]
        names = [n if n in MODULES else node.module for n in names]
    return {n for n in names if n == "ganzoo" or n.startswith("ganzoo.")}


def imports(module):
    """`(imported module, line, function-local)` for each import of a ganzoo module."""
    tree = ast.parse(MODULES[module].read_text())
    local = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(function)
    }
    return [
        (target, node.lineno, id(node) in local)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for target in imported_modules(node)
    ]


@pytest.mark.parametrize("module", [m for m in MODULES if m != "ganzoo"])
def test_no_module_imports_the_package_root_or_a_higher_layer(module):
    for target, line, _ in imports(module):
        assert target != "ganzoo", f"{module}:{line} imports the package root"
        assert layer(target) <= layer(module), (
            f"{module}:{line} imports {target}, a higher layer ({LAYERS[layer(target)]} above "
            f"{LAYERS[layer(module)]})"
        )


def test_the_import_graph_has_no_cycle():
    graph = {m: {t for t, _, _ in imports(m) if t != m} for m in MODULES if m != "ganzoo"}
    state = {}

    def visit(module, path):
        if state.get(module) == "open":
            raise AssertionError("import cycle: " + " -> ".join([*path, module]))
        if state.get(module) != "done":
            state[module] = "open"
            for target in graph.get(module, ()):
                visit(target, [*path, module])
            state[module] = "done"

    for module in graph:
        visit(module, [])


def local_import_blocks(tree):
    """Runs of consecutive import statements inside functions."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            for field in ("body", "orelse", "finalbody"):
                statements = getattr(node, field, None)
                if not isinstance(statements, list):
                    continue
                block = []
                for statement in [*statements, None]:
                    if isinstance(statement, (ast.Import, ast.ImportFrom)):
                        block.append(statement)
                    elif block:
                        yield block
                        block = []


@pytest.mark.parametrize("module", MODULES)
def test_every_function_local_import_says_why(module):
    lines = MODULES[module].read_text().splitlines()
    for block in local_import_blocks(ast.parse("\n".join(lines))):
        first = block[0]
        assert LOCAL_REASON in " ".join(lines[first.lineno - 1 : first.end_lineno]), (
            f"{module}:{first.lineno}: a function-local import without its reason "
            f"({LOCAL_REASON} ...): {lines[first.lineno - 1].strip()}"
        )


def test_the_data_package_names_what_it_loads_lazily():
    """`ganzoo.data` loads its modules on first use (the offline sets need no
    TensorFlow): its `__all__`, its table of where each name lives and the imports the
    API reference reads agree, and each name is the one its module defines."""
    import importlib

    import ganzoo.data as data

    assert sorted(data.__all__) == sorted(data._API)
    source = (PACKAGE / "data" / "__init__.py").read_text()
    for name, module in data._API.items():
        assert f"from {module} import" in source and name in source
        assert getattr(data, name) is getattr(importlib.import_module(module), name)
