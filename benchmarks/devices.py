"""Train-step time on 1 and 2 devices (data-parallel) and in float32 and mixed precision.

    python -m benchmarks devices [--models dcgan pix2pix] [--steps 10]

Each configuration runs in its own process (devices exist only if asked for before the
backend starts): ganzoo's `fit` step of the model of `benchmarks.versus_pytorch` (DCGAN
64x64x3 batch 64; Pix2Pix unet_128 at 128 px, batch 2 so that it splits), built and
trained inside `ganzoo.backend.data_parallel(2)` for the 2-device rows and under the
dtype policy of the precision column. On a CPU the two "devices" are the CPU split in
two (XLA_FLAGS on JAX, logical devices on TensorFlow): they share its cores, so this
measures the overhead of the data-parallel step, not a speed-up; on a machine with two
accelerators the same command measures the real thing. Median of `--steps` steps after
3 warm-up steps. torch has no data-parallel training in Keras: it is left out.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys

from benchmarks.tables import print_table

BACKENDS = ("tensorflow", "jax")
PRECISIONS = ("float32", "mixed_bfloat16")


def worker(name, devices, precision, steps):
    import keras

    from benchmarks import versus_pytorch
    from ganzoo import backend

    keras.config.set_dtype_policy(precision)
    with backend.data_parallel(devices) if devices > 1 else contextlib.nullcontext():
        run = versus_pytorch.ganzoo_steps(name, 2 if name == "pix2pix" else None)
        run(3)
        return statistics.median(run(steps))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks devices")
    parser.add_argument("--models", nargs="+", default=["dcgan", "pix2pix"])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        name, devices, precision = args.worker
        print(json.dumps(worker(name, int(devices), precision, args.steps)))
        return
    rows = []
    for name in args.models:
        for backend in BACKENDS:
            cells = []
            for devices in (1, 2):
                for precision in PRECISIONS:
                    env = {
                        **os.environ,
                        "KERAS_BACKEND": backend,
                        "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",
                    }
                    worker_args = ["--worker", name, str(devices), precision]
                    command = [sys.executable, "-m", "benchmarks.devices", "--steps",
                               str(args.steps), *worker_args]  # fmt: skip
                    run = subprocess.run(
                        command, capture_output=True, text=True, env=env, check=True
                    )
                    cells.append(f"{1000 * json.loads(run.stdout.splitlines()[-1]):.0f}")
            rows.append([name, backend, *cells])
    print_table(
        f"Train step, ms (median of {args.steps}); {os.cpu_count()} CPU cores",
        ["model", "backend", "1 device", "1 device, bf16", "2 devices", "2 devices, bf16"],
        rows,
    )


if __name__ == "__main__":
    main()
