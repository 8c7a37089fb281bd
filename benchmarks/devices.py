"""Train-step time on 1 and 2 devices (data-parallel) and in float32 and mixed precision.

    python -m benchmarks devices [--models dcgan pix2pix] [--backends ...] [--steps 10]

Each configuration runs in its own process (devices exist only if asked for before the
backend starts): ganzoo's `fit` step of the model of `benchmarks.versus_pytorch` (DCGAN
64x64x3 batch 64; Pix2Pix unet_128 at 128 px, batch 2 so that it splits), built and
trained inside `ganzoo.backend.data_parallel(2)` for the 2-device rows and under the
dtype policy of the precision column. On a CPU the two "devices" are the CPU split in
two (XLA_FLAGS on JAX, logical devices on TensorFlow): they share its cores, so this
measures the overhead of the data-parallel step, not a speed-up; on a machine with two
accelerators the same command measures the real thing. Median of `--steps` steps after
3 warm-up steps. On torch the 2-device rows are two processes joined by
`torch.distributed` on 127.0.0.1 (gloo on CPUs, NCCL on GPUs; one process per device,
as torchrun starts them, each with the CPU's threads shared out as torchrun does), each
training its half of the batch; the second table gives what their all-reduces
(gradients, batch-norm sums, logs) take per step (the first process's).
"""

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time

from benchmarks.tables import print_table

BACKENDS = ("tensorflow", "jax", "torch")
PRECISIONS = ("float32", "mixed_bfloat16")


def worker(name, devices, precision, steps):
    """`(median step seconds, median all-reduce seconds per step)` of this process."""
    import keras

    from benchmarks import versus_pytorch
    from ganzoo import backend

    keras.config.set_dtype_policy(precision)
    reducing = []
    if keras.backend.backend() == "torch" and devices > 1:  # one process of `devices`
        import torch.distributed as dist

        backend.connect_workers(None, None)  # RANK, WORLD_SIZE, MASTER_ADDR / _PORT
        all_reduce = dist.all_reduce

        def timed(*args, **kwargs):
            start = time.perf_counter()
            all_reduce(*args, **kwargs)
            reducing.append(time.perf_counter() - start)

        dist.all_reduce = timed
        context = backend.data_parallel(1, workers=devices)
    else:
        context = backend.data_parallel(devices) if devices > 1 else contextlib.nullcontext()
    with context:
        run = versus_pytorch.ganzoo_steps(name, 2 if name == "pix2pix" else None)
        run(3)
        reducing.clear()
        times = run(steps)
    return statistics.median(times), sum(reducing) / len(times)


def processes(backend, devices):
    """The environments of the processes one configuration runs in: one, or on torch
    one per device, joined on a free port of 127.0.0.1."""
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",
    }
    if backend != "torch" or devices == 1:
        return [env]
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    threads = str(max(1, (os.cpu_count() or 1) // devices))  # as torchrun sets it
    joined = {**env, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port),
              "OMP_NUM_THREADS": threads}  # fmt: skip
    return [{**joined, "RANK": str(i), "WORLD_SIZE": str(devices)} for i in range(devices)]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks devices")
    parser.add_argument("--models", nargs="+", default=["dcgan", "pix2pix"])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        name, devices, precision = args.worker
        print(json.dumps(worker(name, int(devices), precision, args.steps)))
        return
    rows, reduces = [], []
    for name in args.models:
        for backend in args.backends:
            cells = []
            for devices in (1, 2):
                for precision in PRECISIONS:
                    worker_args = ["--worker", name, str(devices), precision]
                    command = [sys.executable, "-m", "benchmarks.devices", "--steps",
                               str(args.steps), *worker_args]  # fmt: skip
                    started = [
                        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
                        for env in processes(backend, devices)
                    ]
                    outputs = [process.communicate()[0] for process in started]
                    if any(process.returncode for process in started):
                        raise RuntimeError(f"{backend} {name} {devices} {precision} failed")
                    step, reduce = json.loads(outputs[0].splitlines()[-1])
                    cells.append(f"{1000 * step:.0f}")
                    if backend == "torch" and devices > 1:
                        reduces.append([name, precision, f"{1000 * reduce:.1f}",
                                        f"{100 * reduce / step:.0f}%"])  # fmt: skip
            rows.append([name, backend, *cells])
    print_table(
        f"Train step, ms (median of {args.steps}); {os.cpu_count()} CPU cores",
        ["model", "backend", "1 device", "1 device, bf16", "2 devices", "2 devices, bf16"],
        rows,
    )
    print_table(
        "torch, 2 processes: all-reduces per step (gradients, batch-norm sums, logs), rank 0",
        ["model", "precision", "ms per step", "share of the step"],
        reduces,
    )


if __name__ == "__main__":
    main()
