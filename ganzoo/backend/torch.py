"""PyTorch gradient plumbing: autograd's gradients of each phase's weights, update under
no_grad; convolutions on channels-last memory without layout copies; and data-parallel
training with `torch.distributed`.

Data parallel (`connect_workers`, as `torchrun` starts one process per device): every
process reads the same global batch and trains on its share (`replica_share`); after
each phase's backward pass the gradients are averaged across processes in one
all-reduce, so every replica applies the same update and all hold the same weights
after every step. Batch norm all-reduces its sums (`global_batch_statistics`,
differentiably, as PyTorch's SyncBatchNorm): it normalizes with the global batch's
statistics, as one process does. Each replica draws its own noise (its seed
generators offset by its rank for the step). A CycleGAN replica keeps its own image
pool of its own fakes. NCCL on GPUs, gloo on CPUs.

The step never waits for the device: it reads no tensor back to the host and copies
nothing from the host (on a GPU, PyTorch's blocking copy of a host constant waits for
the device as a read does). Its random draws are made on the device (`random_bits`),
its loss means and step counts are added to in place.
"""

import contextlib
import datetime
import functools
import math
import os
import weakref

import keras
import torch
import torch.distributed as dist
import torch.nn.functional as F
from keras import ops
from keras.src import backend as keras_backend
from keras.src.backend import in_stateless_scope
from keras.src.backend.torch.core import to_torch_dtype

from ganzoo.backend import keras_ops
from ganzoo.backend.networks import LayerGraph, call_network
from ganzoo.backend.optimizers import plain_adam
from ganzoo.backend.replicas import REPLICA_SEED_STRIDE, batch_norms, seed_generator_states
from ganzoo.errors import InvalidArgumentError

# How long a collective waits for the other processes before it fails (a worker that
# died closes its sockets, and gloo fails at once; this bounds a hung or cut-off one).
# Long enough for the chief's scoring and checkpoint between epochs.
COLLECTIVE_TIMEOUT = datetime.timedelta(minutes=30)


def train_step(model, phases, data):
    replicas = replica_count()
    if replicas > 1:
        if model not in _started:
            start_alike(model)
        data = replica_share(data, replicas)
    with replica_noise(model, replicas), global_batch_statistics(model, replicas):
        shared = model.generator_forward(data)  # the generator phase back-propagates into it
        for phase in phases:
            variables = phase.variables
            weights = [v.value for v in variables]
            for repeat in range(phase.repeats):
                loss, logs = phase.loss(data, model.fakes_for(phase, data, shared, repeat))
                # Only the graph between the loss (mixed_float16's scaled) and the
                # phase's weights: no gradients of the other networks' weights (the
                # reference loops' requires_grad_(False)), nothing left in .grad to zero.
                loss = phase.optimizer.scale_loss(loss)
                grads = list(torch.autograd.grad(loss, weights, allow_unused=True))
                with torch.no_grad():
                    if replicas > 1:
                        grads = averaged(grads, replicas)
                    apply_gradients(phase.optimizer, grads, variables)
                    update_trackers(model, logs)
    with torch.no_grad():
        model.update_averages()
    logs = model.tracker_results()
    return averaged_logs(logs, replicas) if replicas > 1 else logs


_started = weakref.WeakSet()  # models whose replicas hold the first process's variables


def start_alike(model):
    """Copies the first process's variables (weights, optimizer slots, noise states)
    to every process before the first step, as PyTorch's DDP does: each process may
    have drawn its own initial weights."""
    with torch.no_grad():
        for variable in [*model.variables, *model.optimizer.variables]:
            dist.broadcast(variable.value.data, src=0)
    _started.add(model)


def replica_count():
    """The processes training together (1 outside `torch.distributed`)."""
    return dist.get_world_size() if dist.is_initialized() else 1


def replica_share(data, replicas):
    """This process's rows of every tensor of the global batch `data` (its batch size
    divides evenly: the recipe checks it)."""

    def share(tensor):
        if tensor is None:
            return None
        rows = tensor.shape[0] // replicas
        if rows * replicas != tensor.shape[0]:
            raise InvalidArgumentError(
                f"a global batch of {tensor.shape[0]} does not split evenly between "
                f"{replicas} processes: use a batch size that is a multiple of {replicas}."
            )
        start = dist.get_rank() * rows
        return tensor[start : start + rows]

    return keras.tree.map_structure(share, data)


@contextlib.contextmanager
def replica_noise(model, replicas):
    """Offsets every seed generator by this process's rank for the step, and back
    afterwards (the states then equal every other replica's: one checkpoint serves)."""
    offset = dist.get_rank() * REPLICA_SEED_STRIDE if replicas > 1 else 0
    states = seed_generator_states(model) if offset else []
    for state in states:
        state.value.data[0] += offset
    try:
        yield
    finally:
        for state in states:
            state.value.data[0] -= offset


@contextlib.contextmanager
def global_batch_statistics(model, replicas):
    """Every batch norm of `model` normalizes with the statistics of the global batch
    while the step runs on several processes (`global_moments`); the layers are
    untouched afterwards."""
    norms = batch_norms(model) if replicas > 1 else []
    for layer in norms:
        layer._moments = functools.partial(global_moments, layer)  # shadows the method
    try:
        yield
    finally:
        for layer in norms:
            del layer._moments


def global_moments(layer, inputs, mask):
    """Mean and variance over the reduced axes of every process's `inputs`: the sums of
    x and x^2 and the count, all-reduced (its backward all-reduces their gradients)."""
    if mask is not None:
        raise InvalidArgumentError("masked batch norm does not train on several processes")
    axes = list(layer._reduction_axes)
    count = torch.ones((1,), dtype=inputs.dtype, device=inputs.device)
    count = count * math.prod(inputs.shape[a] for a in axes)
    sums = torch.cat([inputs.sum(axes), (inputs * inputs).sum(axes), count])
    sums = SummedOverProcesses.apply(sums)
    channels = (sums.shape[0] - 1) // 2
    mean = sums[:channels] / sums[-1]
    variance = torch.clamp(sums[channels:-1] / sums[-1] - mean * mean, min=0.0)
    return mean, variance


class SummedOverProcesses(torch.autograd.Function):
    """The sum of a tensor over the processes, differentiable: its gradient is the sum
    of the processes' gradients (what `torch.distributed.nn`'s all_reduce does, whose
    functional-collective form took 3-7 ms a call on gloo where this takes ~1)."""

    @staticmethod
    def forward(ctx, tensor):
        total = tensor.clone()
        dist.all_reduce(total)
        return total

    @staticmethod
    def backward(ctx, grad):
        total = grad.clone()
        dist.all_reduce(total)
        return total


def averaged(grads, replicas):
    """The mean of each gradient over the processes, in one all-reduce of one buffer; a
    variable the loss did not reach keeps its None (on every process alike), which
    `apply_gradients` leaves to Keras as on one process."""
    present = [g for g in grads if g is not None]
    flat = torch.cat([g.reshape(-1) for g in present])
    dist.all_reduce(flat)
    flat /= replicas
    means = iter(flat.split([g.numel() for g in present]))
    return [None if g is None else next(means).view(g.shape) for g in grads]


def averaged_logs(logs, replicas):
    """Each logged number averaged over the processes (every worker logs the same)."""
    names = sorted(logs)
    values = torch.stack([torch.as_tensor(logs[n], dtype=torch.float32) for n in names])
    dist.all_reduce(values)
    return dict(zip(names, values / replicas, strict=True))


def step_function(model, function):
    """Keras' train, test or predict function, under `jit_compile` compiled for static shapes.

    Keras' `torch.compile` lets Dynamo turn a recompiled frame's shapes symbolic, and
    Keras' layer calls are frames every layer shares (each layer's own shapes): on a
    fresh process a Pix2Pix or CycleGAN step then fails inside a layer
    (`cannot determine truth value of Relational`). A training step's shapes are fixed,
    so each frame is compiled for the shapes it sees."""
    if not model.jit_compile:
        return function

    @functools.wraps(function)
    def static_shapes(data):
        with torch._dynamo.config.patch(
            automatic_dynamic_shapes=False, assume_static_by_default=True
        ):
            return function(data)

    return static_shapes


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
    are unchanged. A `LossScaleOptimizer` (mixed_float16) around a plain Adam runs as
    the same kernel given the loss scale, which it divides the gradients by, and
    whether any gradient is not finite, which skips the update on the device
    (`update_loss_scale`), where Keras' branches read that back to the host. Anything
    else (amsgrad, weight decay, clipping, EMA, other optimizers) goes through `apply`.
    """
    scaled = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    adam = optimizer.inner_optimizer if scaled else optimizer
    weights = [v.value for v in variables]
    kernels = [is_channels_last_kernel(w) for w in weights]
    dense = all(k or w.is_contiguous() for k, w in zip(kernels, weights, strict=True))
    compiling = torch.compiler.is_compiling()  # the fused kernel has no fake (meta) kernel
    fused = plain_adam(adam) and optimizer.built and dense and all(g is not None for g in grads)
    if compiling or not fused:
        optimizer.apply(grads, variables)
        return
    scaling = {}
    if scaled:
        finite = torch.stack([torch.isfinite(g).all() for g in grads]).all()
        scaling = {"grad_scale": optimizer.dynamic_scale.value, "found_inf": (~finite).float()}
    fused_adam(adam, grads, variables, weights, kernels, **scaling)
    if scaled:  # Keras' `iterations` count the updates made
        adam.iterations.value.add_(finite.to(adam.iterations.value.dtype))
        update_loss_scale(optimizer, finite)
    else:
        adam.iterations.value.add_(1)  # Keras' assign_add(1) copies the 1 from the host


def fused_adam(optimizer, grads, variables, weights, kernels, grad_scale=None, found_inf=None):
    """Keras Adam's update of `variables` (their tensors `weights`) as one
    `torch._fused_adam_` call (see `apply_gradients`); `kernels` says which weights are
    `channels_last_kernel`s."""
    index = optimizer._get_variable_index
    slots = [(optimizer._momentums[index(v)], optimizer._velocities[index(v)]) for v in variables]
    momentums, velocities = ([slot.value for slot in pair] for pair in zip(*slots, strict=True))
    for kernel, momentum, (m, v) in zip(kernels, momentums, slots, strict=True):
        if kernel and not is_channels_last_kernel(momentum):
            channels_last_kernel(m)  # the slots in the weight's layout: no copies in the kernel
            channels_last_kernel(v)  # (in place: `momentums` and `velocities` see it)

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
        in_memory_order(weights),
        in_memory_order(grads),
        in_memory_order(momentums),
        in_memory_order(velocities),
        [],
        [uncorrected] * len(variables),
        lr=rate,
        beta1=optimizer.beta_1,
        beta2=optimizer.beta_2,
        weight_decay=0.0,
        eps=optimizer.epsilon,
        amsgrad=False,
        maximize=False,
        grad_scale=grad_scale,
        found_inf=found_inf,
    )


def update_loss_scale(optimizer, finite):
    """Keras' dynamic loss scaling of a `LossScaleOptimizer`, on the device: after a step
    with `finite` gradients the scale doubles if it was the `dynamic_growth_steps`-th in
    a row (the count then restarts), else the count grows; after a non-finite step the
    scale halves and the count restarts."""
    count, scale = optimizer.step_counter.value, optimizer.dynamic_scale.value
    grow = finite & (count == optimizer.dynamic_growth_steps - 1)
    scale.copy_(torch.where(grow, scale * 2.0, torch.where(finite, scale, scale * 0.5)))
    count.copy_(torch.where(finite & ~grow, count + 1, 0))


def update_trackers(model, logs):
    """`model.update_trackers(logs)`: each scalar loss added in place to its
    `keras.metrics.Mean`'s total, and 1 to its count (Keras' `update_state` copies the
    count from the host)."""
    for name, value in logs.items():
        tracker = model.trackers[name]
        if value.ndim:
            tracker.update_state(value)
        else:
            tracker.total.value.add_(value.to(tracker.total.value.dtype))
            tracker.count.value.add_(1)


def batch_norm(layer, inputs):
    """A `keras.layers.BatchNormalization`'s training pass as PyTorch's fused kernel
    (one each way, on the NHWC input seen as `(pixels, channels)`: no copy) and the
    moving statistics updated in place from the kernel's own mean and inverse standard
    deviation, where Keras runs a dozen elementwise operators and their gradients.
    Keras' statistics: the batch's biased variance (PyTorch's own running variance is
    unbiased, so its running buffers are not used).

    Returns None where Keras' layer runs: several processes (its statistics are the
    global batch's, `global_moments`), and where the call is not `fusable`."""
    if replica_count() > 1 or not fusable(layer, inputs):
        return None
    gamma = layer.gamma.value if layer.scale else None
    beta = layer.beta.value if layer.center else None
    outputs, mean, inverse_std = torch.native_batch_norm(
        inputs.reshape(-1, inputs.shape[-1]), gamma, beta, None, None, True, 0.0, layer.epsilon
    )
    with torch.no_grad():  # the kernel's own statistics: 1 / inverse_std^2 = variance + eps
        variance = inverse_std.pow(-2) - layer.epsilon
        layer.moving_mean.value.lerp_(mean, 1.0 - layer.momentum)
        layer.moving_variance.value.lerp_(variance, 1.0 - layer.momentum)
    return outputs.view(inputs.shape)


def group_norm(layer, inputs):
    """A `keras.layers.GroupNormalization` as PyTorch's fused kernel (its groups are
    Keras' runs of consecutive channels); None where Keras' layer runs (as
    `batch_norm`)."""
    if not fusable(layer, inputs):
        return None
    gamma = layer.gamma.value if layer.scale else None
    beta = layer.beta.value if layer.center else None
    outputs = F.group_norm(inputs.movedim(-1, 1), layer.groups, gamma, beta, layer.epsilon)
    return outputs.movedim(1, -1)


def fusable(layer, inputs):
    """Whether a normalization layer's call may run as one PyTorch kernel: float32
    inputs (Keras upcasts others), channels last, outside a torch.compile trace
    (Inductor fuses Keras' operators) and outside Keras' symbolic and stateless calls."""
    return (
        inputs.dtype == torch.float32
        and layer.axis in (-1, inputs.ndim - 1)
        and inputs.device.type != "meta"
        and not torch.compiler.is_compiling()
        and not torch.onnx.is_in_onnx_export()
        and not in_stateless_scope()
    )


# Random numbers on the device. Keras' torch draws seed a new `torch.Generator` from the
# seed generator's state read back to the host, and advance that state by a constant
# copied from the host: on a GPU each draw waits for the device twice, and each is a
# graph break under torch.compile. ganzoo's are counter-based, as JAX's are: element i
# of a draw is a hash of (i, the seed, the draw's counter), computed on the state's
# device, and the counter is advanced in place. The same seed state gives the same
# numbers; a checkpoint's state resumes the stream.

_U32 = 0xFFFFFFFF


def hash32(x):
    """A bijective hash of the 32-bit values in int64 `x` (Wellons' two-round
    multiply-xorshift, with the multipliers 0x21F0AAAD and 0x735A2D97: both below 2^31,
    so no int64 product overflows)."""
    x = x ^ (x >> 16)
    x = (x * 0x21F0AAAD) & _U32
    x = x ^ (x >> 15)
    x = (x * 0x735A2D97) & _U32
    return x ^ (x >> 15)


def random_bits(shape, seed):
    """32 random bits per element of `shape`, int64 in [0, 2^32), from the state
    `(seed, counter)` of the `keras.random.SeedGenerator` `seed`; the counter advances
    by one."""
    state = seed.state.value
    seed_key, counter_key = hash32(state.to(torch.int64) & _U32).unbind()
    draw_key = hash32(seed_key ^ counter_key)
    with torch.no_grad():
        state[1] += 1
    index = torch.arange(math.prod(shape), device=state.device).view(tuple(shape))
    return hash32(hash32(index ^ draw_key) ^ seed_key)


def random_uniform(shape, seed, minval=0.0, maxval=1.0, dtype=None):
    """`keras.random.uniform(shape, minval, maxval, seed=seed)`, drawn on the device:
    24 random bits per number."""
    unit = (random_bits(shape, seed) >> 8).to(torch.float32) * 2.0**-24  # [0, 1)
    return (unit * (maxval - minval) + minval).to(to_torch_dtype(dtype or keras.config.floatx()))


def random_normal(shape, seed, dtype=None):
    """`keras.random.normal(shape, seed=seed)`, drawn on the device: the inverse
    normal CDF of 24-bit uniforms in (0, 1) (|z| < 5.4)."""
    unit = ((random_bits(shape, seed) >> 8).to(torch.float32) + 0.5) * 2.0**-24  # (0, 1)
    return torch.special.ndtri(unit).to(to_torch_dtype(dtype or keras.config.floatx()))


def random_integers(shape, minval, maxval, seed):
    """`keras.random.randint(shape, minval, maxval, seed=seed)`, int32, drawn on the
    device: Lemire's multiply-shift of 32 random bits (exact, no modulo)."""
    spread = (random_bits(shape, seed) * (maxval - minval)) >> 32
    return (spread + minval).to(torch.int32)


def dropout(layer, inputs):
    """A `keras.layers.Dropout`'s training pass (each element kept with probability
    1 - rate and scaled by 1 / (1 - rate)), its mask drawn on the device from the
    layer's seed generator; None where Keras' layer runs (a noise shape, a rate of 0
    or 1, Keras' symbolic and stateless calls)."""
    rate = layer.rate
    keras_runs = layer.noise_shape is not None or not 0 < rate < 1
    if keras_runs or inputs.device.type == "meta" or in_stateless_scope():
        return None
    keep = random_bits(inputs.shape, layer.seed_generator) >= round(rate * 2**32)
    return torch.where(keep, inputs / (1.0 - rate), 0.0)


def pad(x, pad_width, mode):
    """`keras.ops.pad(x, pad_width, mode=mode)` without the `Operation` object Keras
    builds at every call (~500 Python calls a pad, two fifths of an eager CycleGAN
    step's: `python -m benchmarks torch_step`). Under `torch.compile` Keras' own: without
    it Dynamo took 229 s to compile the tests' tiny CycleGAN step instead of 47."""
    if torch.compiler.is_compiling():
        return keras_ops.pad(x, pad_width, mode)
    return keras_backend.numpy.pad(x, pad_width, mode=mode)


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


def conv(x, kernel, strides, padding, bias=None):
    """`keras.ops.conv` for NHWC `x` and an HWIO `kernel`, 2D, no dilation, plus `bias`
    in the same kernel call where given (as `torch.nn.Conv2d`)."""
    pad = (
        (0, 0)
        if padding == "valid"
        else symmetric_same_padding(x.shape[1:3], kernel.shape[:2], strides)
    )
    if pad is None:
        return keras_ops.conv(x, kernel, strides, padding, bias)
    y = F.conv2d(*torch_layout(x, kernel, bias), stride=strides, padding=pad)
    return y.permute(0, 2, 3, 1)


def conv_transpose(x, kernel, strides, padding, bias=None):
    """`keras.ops.conv_transpose` for NHWC `x` and a `(kh, kw, out, in)` kernel, 2D,
    plus `bias` where given."""
    crops = symmetric_transpose_crops(kernel.shape[:2], strides, padding)
    if crops is None:
        return keras_ops.conv_transpose(x, kernel, strides, padding, bias)
    y = F.conv_transpose2d(*torch_layout(x, kernel, bias), stride=strides, padding=crops)
    return y.permute(0, 2, 3, 1)


def symmetric_transpose_crops(kernel_size, strides, padding):
    """PyTorch's `padding` of a transposed convolution (rows cropped from each side
    of its full output, `(n - 1) s + k`) that gives Keras' `padding`: none for
    "valid", (k - s) / 2 for "same" (an output of n s); None where Keras' output is
    not such a symmetric crop (k < s, or k - s odd for "same")."""
    crops = []
    for k, s in zip(kernel_size, strides, strict=True):
        total = 0 if padding == "valid" else k - s
        if k < s or total % 2:
            return None
        crops.append(total // 2)
    return tuple(crops)


def torch_layout(x, kernel, bias):
    """NCHW and OIHW (or IOHW) views of an NHWC `x` and a Keras kernel (channels-last
    memory, no copies), and the bias's tensor (or None). float16 on a CPU runs
    PyTorch's reference convolution, which takes contiguous tensors only: there,
    copies."""
    x = x.permute(0, 3, 1, 2)
    weight = keras_backend.convert_to_tensor(kernel).permute(3, 2, 0, 1)
    bias = None if bias is None else keras_backend.convert_to_tensor(bias)
    if x.dtype == torch.float16 and x.device.type == "cpu":
        return x.contiguous(), weight.contiguous(), bias
    return x, weight, bias


def use_compilation_cache(folder):
    """Nothing to do: Keras runs the torch backend eagerly; nothing is compiled."""


def connect_workers(addresses, index):
    """Makes this process rank `index` of the `len(addresses)` processes of a run
    (`torch.distributed.init_process_group`: NCCL on GPUs, gloo on CPUs), the first
    address, HOST:PORT, the rendezvous the first process opens. With `addresses` None,
    `torchrun`'s environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT; LOCAL_RANK
    picks the GPU)."""
    if addresses is None:
        missing = [
            k for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT") if k not in os.environ
        ]
        if missing:
            raise InvalidArgumentError(
                f"no cluster: {', '.join(missing)} not set. Start the workers with torchrun "
                "(torchrun --nproc_per_node N --no-python ganzoo train ...), or pass the "
                "workers' addresses (ganzoo train --cluster HOST:PORT,HOST:PORT "
                "--worker-index I)."
            )
        method, rank, size = "env://", int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    else:
        method, rank, size = f"tcp://{addresses[0]}", index, len(addresses)
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", rank % torch.cuda.device_count())))
    try:
        dist.init_process_group(
            "nccl" if torch.cuda.is_available() else "gloo",
            init_method=method,
            world_size=size,
            rank=rank,
            timeout=COLLECTIVE_TIMEOUT,
        )
    except (RuntimeError, ValueError) as error:
        where = addresses or os.environ["MASTER_ADDR"] + ":" + os.environ["MASTER_PORT"]
        raise InvalidArgumentError(
            f"could not join the workers {where} as number {rank}: {' '.join(str(error).split())}"
        ) from error


def is_chief():
    """Whether this process writes the run's files: rank 0, and any process outside
    `torch.distributed`."""
    return not dist.is_initialized() or dist.get_rank() == 0


def data_parallel(count, workers=1):
    """A context in which a model built, compiled and fit trains data-parallel on the
    `workers` processes `connect_workers` joined, one device each: the train step does
    the rest (see the module's docstring), so this only checks the layout."""
    if count > 1:
        raise InvalidArgumentError(
            f"devices={count}: the torch backend trains on one device per process, as "
            f"torchrun starts them: torchrun --nproc_per_node {count} --no-python ganzoo "
            "train ... --backend torch (one process per GPU)."
        )
    if workers != replica_count():
        raise InvalidArgumentError(
            f"workers={workers}, but this process is one of {replica_count()}: connect "
            "the workers first (torchrun, ganzoo train --cluster HOST:PORT,HOST:PORT "
            "--worker-index I, or ganzoo.backend.connect_workers)."
        )
    return contextlib.nullcontext()


_graphs = weakref.WeakKeyDictionary()  # network -> its LayerGraph, or None


def run_network(network, inputs, training):
    """`network(inputs, training=training)`, for a functional network of plain layers
    (`LayerGraph`) straight through the layers' `call`: none of Keras' `__call__`
    bookkeeping in the eager step's host time. Under `torch.compile` through Keras:
    Dynamo would trace one shared `LayerGraph.run` frame per network, and recompile it
    (a CycleGAN step compiled 2.5x slower)."""
    if torch.compiler.is_compiling():
        return call_network(network, inputs, training)
    if network not in _graphs:
        _graphs[network] = LayerGraph.of(network)
    graph = _graphs[network]
    flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if graph is None or not graph.takes(flat):
        return call_network(network, inputs, training)
    return graph.run(flat, training)
