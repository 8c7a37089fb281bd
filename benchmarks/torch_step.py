"""What one torch train step does: operator calls, host reads and copies, time outside operators,
ganzoo's step against the plain PyTorch loop, on the CPU (the proxy for a GPU).

    python -m benchmarks torch_step [--models pix2pix cyclegan dcgan] [--steps 3]

On a GPU every leaf operator is a kernel launch, and every host read (`.item()`,
`float()`, `int()`, `bool()` of a tensor) and every tensor made from host data
(`torch.as_tensor` or `torch.tensor` of a Python number or a NumPy array: a blocking
copy to the device) makes the host wait for the device; the time a
step spends outside operators (Python, Keras' layer calls, the optimizer's
bookkeeping) is time the GPU idles when the kernels are short. The plain loop is
`benchmarks.versus_pytorch`'s (the reference repo's networks and step); ganzoo's is
`train_on_batch` of the same model on the torch backend, on the CPU, after two warm-up
steps; and the same step with its networks called through Keras' `Layer.__call__`
(`ganzoo.backend.networks.call_network`) instead of straight through the layers' `call`
(what the eager torch step does by default). Counted with `torch.profiler` (leaf
`aten::` operators), patched tensor conversions and `cProfile` (Python calls, built-in
functions' included, of one step: the host's work counted rather than timed, the same
on any machine); the plain loop reads its generator loss once per step, as its logging
does. ganzoo's `train_on_batch` copies its NumPy batch to the device and reads its
logs back, as Keras' `train_on_batch` does; inside its train step it does neither.
"""

import argparse
import contextlib
import os
import statistics
import time

from benchmarks.tables import print_table

READS = ("item", "__float__", "__int__", "__bool__", "__index__")
MAKERS = ("as_tensor", "tensor")


@contextlib.contextmanager
def counted_host_waits(counts):
    """Counts, while the block runs, the host reads of tensors (`counts["reads"]`) and
    the tensors made from host data (`counts["copies"]`)."""
    import torch

    reads = {name: getattr(torch.Tensor, name) for name in READS}
    makers = {name: getattr(torch, name) for name in MAKERS}

    def counted_read(name):
        def read(self, *args, **kwargs):
            counts["reads"] += 1
            return reads[name](self, *args, **kwargs)

        return read

    def counted_maker(name):
        def make(data, *args, **kwargs):
            counts["copies"] += not isinstance(data, torch.Tensor)
            return makers[name](data, *args, **kwargs)

        return make

    for name in READS:
        setattr(torch.Tensor, name, counted_read(name))
    for name in MAKERS:
        setattr(torch, name, counted_maker(name))
    try:
        yield
    finally:
        for name, read in reads.items():
            setattr(torch.Tensor, name, read)
        for name, make in makers.items():
            setattr(torch, name, make)


def profile(step, steps):
    """`(leaf operators, host reads, host copies, ms outside operators)` per `step()`,
    under the profiler."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    for _ in range(2):  # warm-up: built optimizers, allocated buffers
        step()
    waits = {"reads": 0, "copies": 0}
    with torch_profile(activities=[ProfilerActivity.CPU]) as prof, counted_host_waits(waits):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        seconds = time.perf_counter() - start
    events = [e for e in prof.events() if e.name.startswith("aten::")]
    leaves = [e for e in events if not any(c.name.startswith("aten::") for c in e.cpu_children)]
    inside = sum(e.self_cpu_time_total for e in events) / 1000  # microseconds -> ms
    outside_ms = 1000 * seconds / steps - inside / steps
    return len(leaves) / steps, waits["reads"] / steps, waits["copies"] / steps, outside_ms


def median_ms(step, steps):
    """The median milliseconds of `steps` calls of `step()`, without the profiler."""
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def python_calls(step):
    """The function calls (Python's and built-ins') of one `step()`."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(step)
    return pstats.Stats(profiler).total_calls


def ganzoo_step(name, jit_compile=False, filters=64):
    """`step()`: one `train_on_batch` of `versus_pytorch`'s ganzoo model for `name`
    of base width `filters`, compiled with `jit_compile`."""
    import numpy as np

    from benchmarks import versus_pytorch

    settings = versus_pytorch.MODELS[name]
    batch, shape = settings["batch_size"], settings["shape"]
    rng = np.random.default_rng(0)
    model = versus_pytorch.ganzoo_model(name, filters)
    model.compile(jit_compile=jit_compile)
    if name == "dcgan":
        x, y = rng.uniform(-1, 1, (batch, *shape)).astype("float32"), None
    else:
        x, y = (rng.uniform(-1, 1, (batch, *shape)).astype("float32") for _ in "AB")
    return lambda: model.train_on_batch(x, y)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks torch_step")
    parser.add_argument("--models", nargs="+", default=["pix2pix", "cyclegan", "dcgan"])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument(
        "--filters",
        type=int,
        default=64,
        help="the networks' base width (the reference's 64); a few filters leave the "
        "arithmetic negligible and the step the host's work alone, as on a GPU",
    )
    args = parser.parse_args(argv)
    os.environ["KERAS_BACKEND"] = "torch"
    import ganzoo.backend
    from benchmarks import versus_pytorch
    from ganzoo.backend.networks import call_network

    layer_graphs = ganzoo.backend.run_network
    width = args.filters
    rows = []
    for name in args.models:
        steps = (
            ("plain PyTorch", versus_pytorch.plain_pytorch(name, filters=width), layer_graphs),
            ("ganzoo torch, Keras' __call__", ganzoo_step(name, filters=width), call_network),
            ("ganzoo torch", ganzoo_step(name, filters=width), layer_graphs),
        )
        plain_ms = None  # the first row's
        for column, step, run_network in steps:
            ganzoo.backend.run_network = run_network
            operators, reads, copies, outside_ms = profile(step, args.steps)
            ms = median_ms(step, args.steps)
            plain_ms = plain_ms or ms
            rows.append([name, column, f"{operators:.0f}", f"{reads:.0f}", f"{copies:.0f}",
                         f"{python_calls(step):,}", f"{outside_ms:.0f}", f"{ms:.0f}",
                         f"{ms / plain_ms:.2f}x"])  # fmt: skip
    ganzoo.backend.run_network = layer_graphs
    print_table(
        f"One torch train step on the CPU, base width {width} (profiled: mean of "
        f"{args.steps}; timed: median of {args.steps}; {os.cpu_count()} cores)",
        [
            "model",
            "step",
            "leaf operators",
            "host reads",
            "host copies",
            "Python calls",
            "ms outside operators",
            "ms",
            "vs plain",
        ],  # fmt: skip
        rows,
    )


if __name__ == "__main__":
    main()
