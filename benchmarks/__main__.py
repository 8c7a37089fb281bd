"""`python -m benchmarks [NAME [ARGS...]]`: lists the benchmarks, or runs one.

Each benchmark is a module of this package with a `main(argv)` and a docstring whose
first line says what it measures; run from the repository's root.
"""

import ast
import importlib
import pathlib
import sys

FOLDER = pathlib.Path(__file__).parent


def available():
    """Name -> first line of the docstring of every module here with a `main` (read,
    not imported: a benchmark may choose its Keras backend before importing Keras)."""
    found = {}
    for path in sorted(FOLDER.glob("[!_]*.py")):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            found[path.stem] = ast.get_docstring(tree).split("\n")[0]
    return found


def main(argv):
    benchmark_names = available()
    if not argv or argv[0] in ("-h", "--help", "list"):
        print("python -m benchmarks NAME [--help | options]\n")
        width = max(map(len, benchmark_names))
        for name, summary in benchmark_names.items():
            print(f"  {name:<{width}}  {summary}")
        return 0
    name, *rest = argv
    if name not in benchmark_names:
        print(f"no benchmark {name!r}; one of: {', '.join(benchmark_names)}", file=sys.stderr)
        return 2
    importlib.import_module(f"benchmarks.{name}").main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
