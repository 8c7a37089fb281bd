"""Analytic FLOPs of ganzoo's networks and train steps, and this machine's matmul rate.

A multiply-add counts as 2 FLOPs. Only convolutions, transposed convolutions and dense
layers are counted (normalisation and activations are a few per cent at most).
A backward pass costs ~2 forward passes when weight gradients are needed (dX and
dW), ~1 when only the input gradient is (D while the generator trains).

Forward-pass equivalents per train step, as ganzoo (and the reference) runs it: the
generator forward once, shared by the phases:

- GAN / DCGAN / cGAN / Pix2Pix ("dcgan", "pix2pix"), one D step then one G step:
  G fwd;
  D phase: D fwd on real and fake + D bwd (dX, dW) on both = 6 D;
  G phase: D fwd + D bwd (dX) + G bwd (dX, dW) = 2 G + 2 D.  Total 3 G + 8 D.
- CycleGAN, both generators then both discriminators (one "G" = one generator,
  one "D" = one discriminator):
  2 G fwd (translate both ways);
  G phase: 4 G fwd (reconstruct, identity; both ways) + the bwd of all six (12 G)
  + 2 D fwd + 2 D bwd (dX) = 16 G + 4 D;
  D phase: 4 D fwd + 4 D bwd (dX, dW) = 12 D.  Total 18 G + 16 D.
"""

import time

import keras
import numpy as np

STEP_PASSES = {"pix2pix": (3, 8), "dcgan": (3, 8), "cyclegan": (18, 16)}


def forward_flops(network, batch_size=1):
    """FLOPs of one forward pass of a functional `keras.Model` with static shapes."""
    total = 0
    for layer in network.layers:
        if isinstance(layer, keras.layers.Conv2DTranspose):
            _, h, w, c_in = layer.input.shape
            kh, kw = layer.kernel_size
            total += 2 * h * w * kh * kw * c_in * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            kh, kw = layer.kernel_size
            total += 2 * h * w * kh * kw * layer.input.shape[-1] * c_out
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return total * batch_size


def step_flops(kind, generator, discriminator, batch_size=1):
    """FLOPs of one train step from forward FLOPs of one G and one D (see above)."""
    g_passes, d_passes = STEP_PASSES[kind]
    return batch_size * (
        g_passes * forward_flops(generator) + d_passes * forward_flops(discriminator)
    )


def matmul_gflops(framework="numpy", size=4096, repeats=5):
    """Best float32 matrix-multiply rate of `framework` here, GFLOP/s: "numpy" (its
    BLAS), "torch", or "keras" (the active Keras backend's `ops.matmul`). The best over
    frameworks is the practical peak of this CPU for dense math (TensorFlow's oneDNN
    reaches about twice NumPy's OpenBLAS rate here)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size), dtype=np.float32) for _ in range(2))
    if framework == "torch":
        import torch

        a, b = torch.from_numpy(a), torch.from_numpy(b)
        matmul = torch.mm
    elif framework == "keras":
        a, b = keras.ops.convert_to_tensor(a), keras.ops.convert_to_tensor(b)

        def matmul(a, b):
            return float(keras.ops.sum(keras.ops.matmul(a, b)[0]))  # waits for JAX

    else:
        matmul = np.matmul
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9
