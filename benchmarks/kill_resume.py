"""Kill and resume: SIGKILLs `ganzoo train` at random moments, reruns it until it
finishes, and compares every weight with an uninterrupted run.

    python -m benchmarks kill_resume [--kills 20] [--backends tensorflow jax torch]

A run is the tiny DCGAN and CycleGAN versions of the shipped recipes (shuffled data,
3 epochs of 4 steps, a checkpoint every 3 steps), so the kills land in start-up,
training steps, checkpoint writes, the scoring and the preset's writing alike. Each
kill comes at a random time within an uninterrupted run's duration; a process that
finished before its kill ends the series, unless no kill had landed yet: compile caches
warmed by the uninterrupted run can make the next run much faster (JAX's persistent
cache), so the series then starts afresh with the moments drawn over that faster run.
The table counts the kills that landed and whether the final preset's weights equal
the uninterrupted run's, bit for bit.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from benchmarks.tables import print_table

# Tiny versions of shipped recipes: `ganzoo train NAME --set KEY=VALUE ...`.
RECIPES = {
    "dcgan_mnist5k": ["model.filters=2", "data.batch_size=16", "eval.within_floor=1e9"],
    "cyclegan_digits_typeset": [
        "model.generator='resnet_1blocks'",
        "model.generator_filters=2",
        "model.discriminator='pixel'",
        "model.discriminator_filters=2",
        "model.pool_size=3",
        "data.batch_size=2",
        "data.variants=1",
    ],
}
TRAIN = [
    "train.epochs=3",
    "train.steps_per_epoch=4",
    "train.checkpoint_every_steps=3",
    "eval.num_samples=16",
    "eval.better_by=0.01",
]


def train_command(name, out):
    settings = [item for setting in RECIPES[name] + TRAIN for item in ("--set", setting)]
    return [sys.executable, "-m", "ganzoo.cli", "train", name, *settings, "--out", str(out)]


def preset_weights(folders, backend):
    """The weights and random-number state of each preset in `folders`, read back on
    `backend`: in this process where it already runs that backend (the tests), else in
    one fresh process."""
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() == backend:
        import ganzoo  # local: imported only where this process already runs `backend`

        models = [ganzoo.from_preset(folder) for folder in folders]
        return [
            [*m.get_weights(), *(keras.ops.convert_to_numpy(v) for v in m.seed_states())]
            for m in models
        ]
    script = (
        "import sys, numpy as np, keras, ganzoo\n"
        "for i, folder in enumerate(sys.argv[2:]):\n"
        "    m = ganzoo.from_preset(folder)\n"
        "    np.savez(f'{sys.argv[1]}/{i}.npz', *m.get_weights(),"
        " *[keras.ops.convert_to_numpy(v) for v in m.seed_states()])"
    )
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [sys.executable, "-c", script, scratch, *map(str, folders)],
            env={**os.environ, "KERAS_BACKEND": backend},
            check=True,
            capture_output=True,
        )
        read = []
        for i in range(len(folders)):
            with np.load(os.path.join(scratch, f"{i}.npz")) as weights:
                read.append([weights[key] for key in weights.files])
        return read


def kill_and_resume(name, backend, kills, seed, folder):
    """Returns `(kills that landed, identical to the uninterrupted run?, seconds)`."""
    env = {**os.environ, "KERAS_BACKEND": backend}
    start = time.perf_counter()
    subprocess.run(
        train_command(name, f"{folder}/straight"), env=env, check=True, capture_output=True
    )
    duration = time.perf_counter() - start
    rng, landed = np.random.default_rng(seed), 0
    out = f"{folder}/killed"
    for _ in range(kills):
        started = time.perf_counter()
        process = subprocess.Popen(
            train_command(name, out),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=rng.uniform(0.1, 1.0) * duration)
            if landed:
                break  # it finished before its kill
            duration = time.perf_counter() - started
            shutil.rmtree(out)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            landed += 1
    finished = subprocess.run(train_command(name, out), env=env, capture_output=True, text=True)
    if finished.returncode != 0:
        raise RuntimeError(f"the resumed run failed:\n{finished.stderr[-3000:]}")
    straight, resumed = preset_weights([f"{folder}/straight/preset", f"{out}/preset"], backend)
    same = all(np.array_equal(a, b) for a, b in zip(straight, resumed, strict=True))
    same = same and history_epochs(f"{out}/history.csv") == history_epochs(
        f"{folder}/straight/history.csv"
    )
    return landed, same, time.perf_counter() - start


def history_epochs(path):
    """The epoch column of a run's history.csv: each epoch once, in order, or a gap."""
    with open(path) as file:
        return [line.split(",")[0] for line in file][1:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="kills per recipe and backend")
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    def rows():
        for backend in args.backends:
            for name in RECIPES:
                with tempfile.TemporaryDirectory() as folder:
                    landed, same, seconds = kill_and_resume(
                        name, backend, args.kills, args.seed, folder
                    )
                yield backend, name, landed, "yes" if same else "NO", f"{seconds:.0f}"

    print_table(
        f"SIGKILL at random moments, then the same command until it finishes "
        f"(up to {args.kills} kills per run, seed {args.seed})",
        [
            "backend",
            "recipe",
            "kills landed",
            "weights, random state, history identical",
            "seconds",
        ],
        rows(),
    )


if __name__ == "__main__":
    main()
