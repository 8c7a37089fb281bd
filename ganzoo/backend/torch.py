"""PyTorch gradient plumbing: autograd's `backward()` per phase, update under no_grad;
and convolutions on channels-last memory without layout copies."""

import math

import keras
import torch
import torch.nn.functional as F
from keras import ops

from ganzoo.backend.optimizers import plain_adam
from ganzoo.errors import InvalidArgumentError


def train_step(model, phases, data):
    shared = model.generator_forward(data)  # the generator phase back-propagates into it
    for phase in phases:
        variables = phase.variables
        for repeat in range(phase.repeats):
            model.zero_grad()
            loss, logs = phase.loss(data, model.fakes_for(phase, data, shared, repeat))
            phase.optimizer.scale_loss(loss).backward()  # mixed_float16's scale
            grads = [v.value.grad for v in variables]
            with torch.no_grad():
                apply_gradients(phase.optimizer, grads, variables)
                model.update_trackers(logs)
    with torch.no_grad():
        model.update_averages()
    return model.tracker_results()


def test_step(model, logs_of, data):
    """`logs_of(data)`: the losses of a held-out batch (`AdversarialModel.test_step`)."""
    return logs_of(data)


def apply_gradients(optimizer, grads, variables):
    """`optimizer.apply(grads, variables)`; a plain Keras Adam runs as PyTorch's fused
    Adam kernel instead of Keras' chain of per-tensor updates (one pass over each
    weight, no temporaries: 44.6M Pix2Pix weights made Keras' update a third of a CPU
    step).

    Keras' update, w -= lr sqrt(1 - beta_2^t) / (1 - beta_1^t) m / (sqrt(v) + eps), with
    every number a tensor on the weights' device: the step reads nothing back to the
    host (on a GPU, a read waits for the device). The fused kernel divides by its own
    bias corrections of its step counts; step counts of infinity make those 1, so the
    rate it is given carries Keras' corrections and eps stays where Keras puts it. The
    slots are Keras' own (`_momentums`, `_velocities`), so saving, loading and resuming
    are unchanged. Anything else (amsgrad, weight decay, clipping, EMA, other
    optimizers) goes through `apply`.
    """
    kernels = [is_channels_last_kernel(v.value) for v in variables]
    dense = all(k or v.value.is_contiguous() for k, v in zip(kernels, variables, strict=True))
    compiling = torch.compiler.is_compiling()  # the fused kernel has no fake (meta) kernel
    if compiling or not (plain_adam(optimizer) and dense) or any(g is None for g in grads):
        optimizer.apply(grads, variables)
        return
    index = optimizer._get_variable_index
    slots = [(optimizer._momentums[index(v)], optimizer._velocities[index(v)]) for v in variables]
    for kernel, (m, v) in zip(kernels, slots, strict=True):
        if kernel and not is_channels_last_kernel(m.value):
            channels_last_kernel(m)  # the slots in the weight's layout: no copies in the kernel
            channels_last_kernel(v)

    def in_memory_order(tensors):
        # Views of the weights' and slots' own memory (updated in place); a gradient in
        # another layout is copied into theirs.
        return [
            t.permute(3, 0, 1, 2).contiguous() if k else t.contiguous()
            for t, k in zip(tensors, kernels, strict=True)
        ]

    step = ops.cast(optimizer.iterations, "float32") + 1.0
    rate = (
        ops.cast(optimizer.learning_rate, "float32")
        * ops.sqrt(1.0 - optimizer.beta_2**step)
        / (1.0 - optimizer.beta_1**step)
    )
    uncorrected = torch.full((), math.inf, device=rate.device)
    torch._fused_adam_(
        in_memory_order([v.value for v in variables]),
        in_memory_order(grads),
        in_memory_order([m.value for m, _ in slots]),
        in_memory_order([v.value for _, v in slots]),
        [],
        [uncorrected] * len(variables),
        lr=rate,
        beta1=optimizer.beta_1,
        beta2=optimizer.beta_2,
        weight_decay=0.0,
        eps=optimizer.epsilon,
        amsgrad=False,
        maximize=False,
    )
    optimizer.iterations.assign_add(1)


def input_gradients(fn, x):
    with torch.enable_grad():  # also under Keras' no_grad test step (R1, WGAN-GP)
        x = x.detach().requires_grad_(True)
        (grads,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
    return grads


# Convolutions. Keras' torch convolutions copy every NHWC input to NCHW and back to
# channels-last memory, and the HWIO kernel to OIHW, on every call. An NHWC tensor
# permuted to NCHW already is channels-last memory, which oneDNN convolves as it is;
# `channels_last_kernel` stores a kernel so that its torch view is channels-last too.
# Same values, shapes and gradients as `keras.ops.conv` / `conv_transpose`.


def channels_last_kernel(variable):
    """Re-stores a Keras kernel `(kh, kw, a, b)` so that its torch weight view
    `permute(3, 2, 0, 1)` is channels-last (memory order b, kh, kw, a). The variable
    keeps its shape and values; assignments and the optimizer keep the layout."""
    value = variable.value
    with torch.no_grad():
        value.data = value.data.permute(3, 0, 1, 2).contiguous().permute(1, 2, 3, 0)


def is_channels_last_kernel(tensor):
    """Whether a 4-D tensor is stored as `channels_last_kernel` stores kernels."""
    return tensor.ndim == 4 and tensor.permute(3, 0, 1, 2).is_contiguous()


def symmetric_same_padding(sizes, kernel_size, strides):
    """PyTorch's per-side padding equal to Keras' "same", or None where "same" pads one
    side more (odd total)."""
    padding = []
    for size, k, s in zip(sizes, kernel_size, strides, strict=True):
        total = max((math.ceil(size / s) - 1) * s + k - size, 0)
        if total % 2:
            return None
        padding.append(total // 2)
    return tuple(padding)


def conv(x, kernel, strides, padding):
    """`keras.ops.conv` for NHWC `x` and an HWIO `kernel`, 2D, no dilation."""
    pad = (
        (0, 0)
        if padding == "valid"
        else symmetric_same_padding(x.shape[1:3], kernel.shape[:2], strides)
    )
    if pad is None:
        return ops.conv(x, kernel, strides=strides, padding=padding)
    y = F.conv2d(*torch_layout(x, kernel), stride=strides, padding=pad)
    return y.permute(0, 2, 3, 1)


def conv_transpose(x, kernel, strides, padding):
    """`keras.ops.conv_transpose` for NHWC `x` and a `(kh, kw, out, in)` kernel, 2D."""
    if padding != "valid":
        return ops.conv_transpose(x, kernel, strides=strides, padding=padding)
    y = F.conv_transpose2d(*torch_layout(x, kernel), stride=strides)
    return y.permute(0, 2, 3, 1)


def torch_layout(x, kernel):
    """NCHW and OIHW (or IOHW) views of an NHWC `x` and a Keras kernel: channels-last
    memory, no copies. float16 on a CPU runs PyTorch's reference convolution, which
    takes contiguous tensors only: there, copies."""
    x, weight = x.permute(0, 3, 1, 2), ops.convert_to_tensor(kernel).permute(3, 2, 0, 1)
    if x.dtype == torch.float16 and x.device.type == "cpu":
        return x.contiguous(), weight.contiguous()
    return x, weight


def use_compilation_cache(folder):
    """Nothing to do: Keras runs the torch backend eagerly; nothing is compiled."""


def connect_workers(addresses, index):
    """Refuses, as `data_parallel` does for several workers."""
    data_parallel(1, workers=len(addresses) if addresses else "several")


def is_chief():
    """Always: the torch backend trains in one process."""
    return True


def data_parallel(count, workers=1):
    """Refuses: Keras 3's torch backend has no data-parallel training (its
    `keras.distribution` API is JAX's, with TensorFlow's a prototype), and `fit` on it
    runs on one device of one process."""
    raise InvalidArgumentError(
        f"devices={count}, workers={workers}: Keras' torch backend trains on one device "
        f"only (Keras {keras.__version__} has no distribution support for torch). Train "
        "on several devices or machines with KERAS_BACKEND=jax "
        "(keras.distribution.DataParallel) or tensorflow (tf.distribute strategies); "
        "the weights load on torch."
    )
