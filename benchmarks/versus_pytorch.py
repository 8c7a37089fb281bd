"""ganzoo's train step on each backend against a plain PyTorch loop with the reference
repo's networks, side by side in one run.

    python -m benchmarks versus_pytorch [--models pix2pix cyclegan dcgan] [--rounds 5] [--steps 4]

The plain loop is written here from pytorch-CycleGAN-and-pix2pix's networks and
`optimize_parameters` (and PyTorch's DCGAN example): the generator's output computed once
per step, D on it detached, then G through the updated D; Adam(2e-4, 0.5). Its settings:

- pix2pix: unet_128 + basic 70x70 PatchGAN, batch norm, dropout, 128x128x3, batch 1,
  vanilla GAN loss + 100 L1;
- cyclegan: two resnet_6blocks + two basic PatchGANs, instance norm, 128x128x3, batch 1,
  LSGAN + 10 cycle + 0.5 identity, the discriminators fed from the reference's image
  pools of 50 fakes;
- dcgan: 64x64x3, 64 filters, batch 64, non-saturating loss.

ganzoo's column is `fit` on the same shapes with the same settings, one process per
backend (plus the plain loop's own process). Every process builds its model and warms up
(compilation) first; then the measurement goes round the processes `--rounds` times, each
taking `--steps` steps in its turn, so a busy moment of the shared machine falls on all
of them alike. The table gives the median step, its ratio to the plain loop, images per
second, the analytic GFLOP/s (`benchmarks.flops`; ganzoo and the plain loop run the same
passes) against this machine's float32 matmul rate measured in
the same run, the process's peak memory (max RSS), and the growth of its resident memory
from the end of the warm-up to the end of the last round (a leak shows there; the peak
only rises with the allocator's high-water mark). `--rounds 50 --steps 20` runs 1,000
steps per process. The matmul
rate is the best of NumPy's and each worker's framework's (torch, TensorFlow, JAX),
measured one process at a time after the rounds; on a busy machine it reads low, and
the percentages high. Convolutions can exceed it: oneDNN runs 3x3 convolutions with
Winograd's algorithm, fewer multiplications than the analytic count.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time

from benchmarks.tables import print_table

SIZE = 128
MODELS = {
    "pix2pix": {"batch_size": 1, "shape": (SIZE, SIZE, 3)},
    "cyclegan": {"batch_size": 1, "shape": (SIZE, SIZE, 3)},
    "dcgan": {"batch_size": 64, "shape": (64, 64, 3)},
}
COLUMNS = {"plain PyTorch": None, "ganzoo tensorflow": "tensorflow", "ganzoo jax": "jax",
           "ganzoo torch": "torch"}  # fmt: skip


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb():
    """The process's resident memory now (Linux), MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- the plain PyTorch loop ------------------------------------------------------------


def plain_pytorch(name, batch_size=None, filters=64):
    """`step()` of the reference's training loop for `name`, on random data, in batches
    of `batch_size` (by default the model's in `MODELS`); `filters` is the networks'
    base width (the reference's ngf and ndf, 64)."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    batch = batch_size or MODELS[name]["batch_size"]

    def adam(module):
        return torch.optim.Adam(module.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def patch_discriminator(channels, norm):
        bias = norm is nn.InstanceNorm2d
        layers = [nn.Conv2d(channels, filters, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        width = filters
        for n, stride in ((1, 2), (2, 2), (3, 1)):
            out = filters * min(2**n, 8)
            layers += [nn.Conv2d(width, out, 4, stride, 1, bias=bias), norm(out),
                       nn.LeakyReLU(0.2, True)]  # fmt: skip
            width = out
        return nn.Sequential(*layers, nn.Conv2d(width, 1, 4, 1, 1))

    if name == "pix2pix":

        class Block(nn.Module):  # UnetSkipConnectionBlock
            def __init__(self, outer, inner, sub=None, outermost=False, dropout=False, inputs=None):
                super().__init__()
                self.outermost = outermost
                down = [nn.Conv2d(inputs or outer, inner, 4, 2, 1, bias=False)]
                if outermost:
                    up = [nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1), nn.Tanh()]
                    layers = down + [sub] + up
                elif sub is None:  # innermost
                    up = [nn.ReLU(True), nn.ConvTranspose2d(inner, outer, 4, 2, 1, bias=False),
                          nn.BatchNorm2d(outer)]  # fmt: skip
                    layers = [nn.LeakyReLU(0.2, True)] + down + up
                else:
                    up = [nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1, bias=False),
                          nn.BatchNorm2d(outer)]  # fmt: skip
                    layers = [nn.LeakyReLU(0.2, True), *down, nn.BatchNorm2d(inner), sub, *up]
                    layers += [nn.Dropout(0.5)] if dropout else []
                self.model = nn.Sequential(*layers)

            def forward(self, x):
                return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)

        block = Block(8 * filters, 8 * filters)
        for _ in range(7 - 5):  # unet_128: 7 levels
            block = Block(8 * filters, 8 * filters, block, dropout=True)
        for outer in (4 * filters, 2 * filters, filters):
            block = Block(outer, outer * 2, block)
        generator = Block(3, filters, block, outermost=True, inputs=3)
        discriminator = patch_discriminator(6, nn.BatchNorm2d)
        g_opt, d_opt = adam(generator), adam(discriminator)
        bce, l1 = nn.BCEWithLogitsLoss(), nn.L1Loss()
        a, b = torch.rand(batch, 3, SIZE, SIZE) * 2 - 1, torch.rand(batch, 3, SIZE, SIZE) * 2 - 1

        def step():
            fake = generator(a)
            discriminator.requires_grad_(True)
            d_opt.zero_grad()
            pred_fake = discriminator(torch.cat([a, fake.detach()], 1))
            pred_real = discriminator(torch.cat([a, b], 1))
            d_loss = 0.5 * (bce(pred_fake, torch.zeros_like(pred_fake))
                            + bce(pred_real, torch.ones_like(pred_real)))  # fmt: skip
            d_loss.backward()
            d_opt.step()
            discriminator.requires_grad_(False)
            g_opt.zero_grad()
            pred = discriminator(torch.cat([a, fake], 1))
            g_loss = bce(pred, torch.ones_like(pred)) + 100 * l1(fake, b)
            g_loss.backward()
            g_opt.step()
            return float(g_loss)

    elif name == "cyclegan":
        norm = nn.InstanceNorm2d

        class ResnetBlock(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.block = nn.Sequential(
                    nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), norm(width), nn.ReLU(True),
                    nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), norm(width))  # fmt: skip

            def forward(self, x):
                return x + self.block(x)

        def resnet_generator():
            layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, filters, 7), norm(filters),
                      nn.ReLU(True)]  # fmt: skip
            for width in (filters, 2 * filters):
                layers += [nn.Conv2d(width, width * 2, 3, 2, 1), norm(width * 2), nn.ReLU(True)]
            layers += [ResnetBlock(4 * filters) for _ in range(6)]
            for width in (4 * filters, 2 * filters):
                layers += [nn.ConvTranspose2d(width, width // 2, 3, 2, 1, output_padding=1),
                           norm(width // 2), nn.ReLU(True)]  # fmt: skip
            layers += [nn.ReflectionPad2d(3), nn.Conv2d(filters, 3, 7), nn.Tanh()]
            return nn.Sequential(*layers)

        g_ab, g_ba = resnet_generator(), resnet_generator()
        d_a, d_b = patch_discriminator(3, norm), patch_discriminator(3, norm)
        g_opt = torch.optim.Adam([*g_ab.parameters(), *g_ba.parameters()], 2e-4, betas=(0.5, 0.999))
        d_opt = torch.optim.Adam([*d_a.parameters(), *d_b.parameters()], 2e-4, betas=(0.5, 0.999))
        mse, l1 = nn.MSELoss(), nn.L1Loss()
        a, b = torch.rand(batch, 3, SIZE, SIZE) * 2 - 1, torch.rand(batch, 3, SIZE, SIZE) * 2 - 1
        pools, draw = {"A": [], "B": []}, random.Random(0)

        def pooled(images, pool):  # the reference's ImagePool.query, pool_size 50
            returned = []
            for image in images:
                image = torch.unsqueeze(image.data, 0)
                if len(pool) < 50:
                    pool.append(image)
                    returned.append(image)
                elif draw.uniform(0, 1) > 0.5:
                    index = draw.randint(0, 49)
                    returned.append(pool[index].clone())
                    pool[index] = image
                else:
                    returned.append(image)
            return torch.cat(returned, 0)

        def adversarial(d, x, real):
            pred = d(x)
            return mse(pred, torch.ones_like(pred) if real else torch.zeros_like(pred))

        def step():
            fake_b, fake_a = g_ab(a), g_ba(b)
            rec_a, rec_b = g_ba(fake_b), g_ab(fake_a)
            for d in (d_a, d_b):
                d.requires_grad_(False)
            g_opt.zero_grad()
            g_loss = (adversarial(d_b, fake_b, True) + adversarial(d_a, fake_a, True)
                      + 10 * (l1(rec_a, a) + l1(rec_b, b))
                      + 5 * (l1(g_ab(b), b) + l1(g_ba(a), a)))  # fmt: skip
            g_loss.backward()
            g_opt.step()
            for d in (d_a, d_b):
                d.requires_grad_(True)
            d_opt.zero_grad()
            d_loss = 0.5 * sum(
                adversarial(d, real, True) + adversarial(d, pooled(fake, pools[side]), False)
                for d, real, fake, side in ((d_b, b, fake_b, "B"), (d_a, a, fake_a, "A"))
            )
            d_loss.backward()
            d_opt.step()
            return float(g_loss)

    else:  # dcgan, PyTorch's example at 64x64x3
        up = [nn.ConvTranspose2d(100, 8 * filters, 4, 1, 0, bias=False)]
        for width in (8 * filters, 4 * filters, 2 * filters):
            up += [nn.BatchNorm2d(width), nn.ReLU(True),
                   nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False)]  # fmt: skip
        up += [nn.BatchNorm2d(filters), nn.ReLU(True),
               nn.ConvTranspose2d(filters, 3, 4, 2, 1, bias=False), nn.Tanh()]  # fmt: skip
        generator = nn.Sequential(*up)
        down = [nn.Conv2d(3, filters, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
        for width in (filters, 2 * filters, 4 * filters):
            down += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2),
                     nn.LeakyReLU(0.2, True)]  # fmt: skip
        discriminator = nn.Sequential(*down, nn.Conv2d(8 * filters, 1, 4, 1, 0, bias=False))
        g_opt, d_opt = adam(generator), adam(discriminator)
        bce = nn.BCEWithLogitsLoss()
        real = torch.rand(batch, 3, 64, 64) * 2 - 1

        def step():
            fake = generator(torch.randn(batch, 100, 1, 1))
            d_opt.zero_grad()
            pred_real, pred_fake = discriminator(real), discriminator(fake.detach())
            d_loss = bce(pred_real, torch.ones_like(pred_real)) + bce(
                pred_fake, torch.zeros_like(pred_fake)
            )
            d_loss.backward()
            d_opt.step()
            g_opt.zero_grad()
            pred = discriminator(fake)
            g_loss = bce(pred, torch.ones_like(pred))
            g_loss.backward()
            g_opt.step()
            return float(g_loss)

    return step


# -- ganzoo ----------------------------------------------------------------------------


def ganzoo_model(name, filters=64):
    """ganzoo's model of the plain loop's for `name`, of base width `filters`."""
    import ganzoo

    widths = {"generator_filters": filters, "discriminator_filters": filters}
    if name == "pix2pix":
        return ganzoo.Pix2Pix(image_size=(SIZE, SIZE), generator="unet_128", norm="batch", **widths)
    if name == "cyclegan":
        return ganzoo.CycleGAN(
            image_size=(SIZE, SIZE), generator="resnet_6blocks", norm="instance", **widths
        )
    return ganzoo.DCGAN(image_shape=MODELS[name]["shape"], filters=filters)


def ganzoo_steps(name, batch_size=None):
    """`run(steps)` -> the seconds of each of `steps` `fit` steps, on the active backend
    (batches of `batch_size`, by default the model's in `MODELS`)."""
    import keras
    import numpy as np
    import tensorflow as tf

    batch, shape = batch_size or MODELS[name]["batch_size"], MODELS[name]["shape"]
    rng = np.random.default_rng(0)
    model = ganzoo_model(name)
    model.compile()
    if name == "dcgan":
        data = rng.uniform(-1, 1, (batch, *shape)).astype("float32")
    else:
        data = tuple(rng.uniform(-1, 1, (batch, *shape)).astype("float32") for _ in "AB")
    dataset = tf.data.Dataset.from_tensors(data).repeat()

    class StepTimes(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            float(logs["g_loss"])  # waits for the step (JAX dispatches asynchronously)
            times.append(time.perf_counter() - self.start)

    times = []

    def run(steps):
        times.clear()
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[StepTimes()])
        return list(times)

    return run


def worker(column, name):
    """Serves `STEPS` lines on stdin with the step times as JSON on stdout, and
    `matmul` lines with its framework's matmul rate."""
    from benchmarks.flops import matmul_gflops

    if COLUMNS[column] is None:
        step = plain_pytorch(name)

        def run(steps):
            times = []
            for _ in range(steps):
                start = time.perf_counter()
                step()
                times.append(time.perf_counter() - start)
            return times

    else:
        run = ganzoo_steps(name)
    run(3)  # warm-up: compilation, allocator, caches
    print(json.dumps({"ready": current_rss_mb()}), flush=True)
    for line in sys.stdin:
        if line.strip() == "matmul":  # this framework's matmul rate
            framework = "torch" if COLUMNS[column] is None else "keras"
            print(json.dumps({"matmul": matmul_gflops(framework)}), flush=True)
            continue
        steps = int(line)
        times = run(steps)
        print(json.dumps({"times": times, "rss": current_rss_mb(), "peak": peak_rss_mb()}))
        sys.stdout.flush()


def step_gflop(name):
    """Analytic GFLOP of ganzoo's train step (`benchmarks.flops`), on networks built
    with static shapes."""
    from benchmarks.flops import step_flops
    from ganzoo.blocks import discriminator_network, generator_network

    batch = MODELS[name]["batch_size"]
    if name == "dcgan":
        model = ganzoo_model(name)
        return step_flops("dcgan", model.generator, model.discriminator, batch) / 1e9
    norm, generator = ("batch", "unet_128") if name == "pix2pix" else ("instance", "resnet_6blocks")
    size = (SIZE, SIZE)
    g = generator_network(generator, 3, 3, norm=norm, image_size=size)
    d = discriminator_network("basic", 6 if name == "pix2pix" else 3, norm=norm, image_size=size)
    return step_flops(name, g, d, batch) / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks versus_pytorch")
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=list(MODELS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=4, help="steps per process per round")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(*args.worker)

    from benchmarks.flops import matmul_gflops

    peak = matmul_gflops()  # NumPy's; each framework's is added below
    for name in args.models:
        processes = {}
        for column, backend in COLUMNS.items():
            env = {**os.environ, "KERAS_BACKEND": backend or "tensorflow"}
            processes[column] = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.versus_pytorch", "--worker", column, name],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, env=env)  # fmt: skip
        start_rss = {c: json.loads(p.stdout.readline())["ready"] for c, p in processes.items()}
        times = {column: [] for column in COLUMNS}
        rss, peak_rss = {}, {}
        for _ in range(args.rounds):
            for column, process in processes.items():
                process.stdin.write(f"{args.steps}\n")
                process.stdin.flush()
                reply = json.loads(process.stdout.readline())
                times[column] += reply["times"]
                rss[column], peak_rss[column] = reply["rss"], reply["peak"]
        for process in processes.values():  # one at a time, the others idle
            process.stdin.write("matmul\n")
            process.stdin.flush()
            peak = max(peak, json.loads(process.stdout.readline())["matmul"])
        for process in processes.values():
            process.stdin.close()
            process.wait()
        peak = max(peak, matmul_gflops())
        gflop = step_gflop(name)
        batch = MODELS[name]["batch_size"]
        base = statistics.median(times["plain PyTorch"])
        rows = []
        for column in COLUMNS:
            median = statistics.median(times[column])
            rate = gflop / median
            rows.append([
                column, f"{1000 * median:.0f}", f"{median / base:.2f}x", f"{batch / median:.1f}",
                f"{rate:.0f} ({100 * rate / peak:.0f}%)", f"{peak_rss[column]:.0f}",
                f"{rss[column] - start_rss[column]:+.0f}",
            ])  # fmt: skip
        shape = "x".join(map(str, MODELS[name]["shape"]))
        print_table(
            f"{name}, {shape}, batch {batch}: median of {args.rounds} rounds x {args.steps} "
            f"steps, interleaved; {gflop:.1f} GFLOP/step (ganzoo's); float32 matmul here "
            f"{peak:.0f} GFLOP/s; {os.cpu_count()} CPU cores",
            ["", "ms/step", "vs plain", "images/s", "GFLOP/s (of peak)", "peak MB",
             "RSS growth MB"],
            rows,
        )  # fmt: skip


if __name__ == "__main__":
    main()
