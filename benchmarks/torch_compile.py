"""What `compile(jit_compile=True)` makes of ganzoo's torch step: graphs, graph breaks,
compiling time and the compiled step's time beside the eager one's.

    python -m benchmarks torch_compile [--models pix2pix cyclegan dcgan] [--steps 3]

Each model compiles in a fresh process (Dynamo's caches empty, as a user's first run):
`versus_pytorch`'s ganzoo models (Pix2Pix unet_128 and CycleGAN resnet_6blocks at batch
1, DCGAN 64 px at batch 64) on the torch backend, `train_on_batch` on fixed arrays. The
first compiled step holds the compiling; the step times are medians of `--steps` after
two more untimed steps. Graphs and breaks are Dynamo's own counters: each
break splits the step into pieces compiled apart, with Python between them (on a GPU the
device waits there), so fewer is better.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from benchmarks.tables import median_ms, print_table

COLUMNS = ["model", "graphs", "graph breaks", "compiling s", "compiled ms", "eager ms"]


def measure(name, steps):
    """`{graphs, breaks, compile_s, compiled_ms, eager_ms}` for `name`, in this process."""
    import torch._dynamo.utils

    from benchmarks.torch_step import ganzoo_step

    eager_ms = median_ms(ganzoo_step(name), steps)
    compiled = ganzoo_step(name, jit_compile=True)
    start = time.perf_counter()
    compiled()
    compile_s = time.perf_counter() - start
    compiled_ms = median_ms(compiled, steps)
    counters = torch._dynamo.utils.counters
    return {
        "graphs": counters["stats"]["unique_graphs"],
        "breaks": sum(counters["graph_break"].values()),
        "compile_s": compile_s,
        "compiled_ms": compiled_ms,
        "eager_ms": eager_ms,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks torch_compile")
    parser.add_argument("--models", nargs="+", default=["pix2pix", "cyclegan", "dcgan"])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process's model
    args = parser.parse_args(argv)
    os.environ["KERAS_BACKEND"] = "torch"
    if args.one:
        print(json.dumps(measure(args.one, args.steps)))
        return

    rows = []
    for name in args.models:
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks", "torch_compile", "--one", name,
             "--steps", str(args.steps)],
            capture_output=True, text=True, env={**os.environ, "KERAS_BACKEND": "torch"},
        )  # fmt: skip
        if child.returncode != 0:
            rows.append([name, "failed: " + child.stderr.strip().splitlines()[-1], "", "", "", ""])
            continue
        result = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append([name, result["graphs"], result["breaks"], f"{result['compile_s']:.0f}",
                     f"{result['compiled_ms']:.0f}", f"{result['eager_ms']:.0f}"])  # fmt: skip
    print_table(
        f"ganzoo's torch step under torch.compile, a fresh process per model (median of "
        f"{args.steps} steps; {os.cpu_count()} cores)",
        COLUMNS,
        rows,
    )


if __name__ == "__main__":
    main()
