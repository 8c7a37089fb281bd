"""The only backend-specific code in ganzoo, chosen once from `keras.backend.backend()`.

Each backend module exposes the same names:

- `train_step(model, phases, ...)`: runs the generator forward once, then the loss
  phases (loss function, weights, optimizer, repeats) with that backend's gradient
  plumbing; the generator phase's gradients flow back through the shared fakes. JAX's
  signature is `(model, phases, state, data)`, the others' `(model, phases, data)`, as
  in Keras' own trainers.
- `test_step(model, logs_of, ...)`: `logs_of(data)`, the losses of a held-out batch;
  on JAX `(model, logs_of, state, data)` with the state threaded through.
- `input_gradients(fn, x)`: d(sum fn(x))/dx, differentiable again (gradient penalty).
- `conv_transpose(x, kernel, strides, padding, bias=None)`: `keras.ops.conv_transpose`
  plus `bias`; on JAX with a custom backward pass that is ~5x faster on CPU (see
  `ganzoo/backend/jax.py`), on torch on channels-last memory without layout copies, the
  bias added by the convolution.
- `conv(x, kernel, strides, padding, bias=None)`: `keras.ops.conv` (2D, NHWC) plus
  `bias`; on torch without layout copies, the bias added by the convolution.
- `batch_norm(layer, inputs)`: a `keras.layers.BatchNormalization`'s training pass
  (outputs, and its moving statistics updated); on torch one fused kernel each way,
  elsewhere None: Keras' own (XLA fuses it). `group_norm(layer, inputs)`: the same for a
  `keras.layers.GroupNormalization` (instance norm).
- `channels_last_kernel(variable)`: stores a conv kernel in the layout the backend's
  convolutions read without a copy (torch); nothing elsewhere.
- `data_parallel(count, workers=1)`: a context in which to build, compile and fit a
  model on `count` devices of each of `workers` processes (JAX:
  `keras.distribution.DataParallel`; TensorFlow: `MirroredStrategy`, or
  `MultiWorkerMirroredStrategy` for several workers; torch: one device per process,
  the step all-reduces what the processes share).
- `connect_workers(addresses, index)`: joins this process to a multi-worker run as
  worker `index` (JAX: `keras.distribution.initialize`; TensorFlow: TF_CONFIG; torch:
  `torch.distributed`, or torchrun's environment).
- `is_chief()`: whether this process writes the run's files (worker 0).
- `random_uniform(shape, seed, minval=0.0, maxval=1.0, dtype=None)`,
  `random_normal(shape, seed, dtype=None)`, `random_integers(shape, minval, maxval,
  seed)`: `keras.random`'s draws from a `keras.random.SeedGenerator`; on torch drawn
  on the device, counter-based, with no host round trip (Keras' torch draws read the
  seed back to the host at each draw). `dropout(layer, inputs)`: a
  `keras.layers.Dropout`'s training pass so drawn on torch, elsewhere None (Keras').
- `pad(x, pad_width, mode)`: `keras.ops.pad`; on the eager torch step without the
  operation object Keras builds at every call.

TensorFlow and JAX take `conv`, `pad` (and TensorFlow `conv_transpose`) from
`ganzoo.backend.keras_ops`, Keras' operators: their steps are traced once.
- `run_network(network, inputs, training)`: `network(inputs, training=training)` as
  a train step calls its networks; on torch, where the step runs eagerly, a functional
  network of plain layers straight through the layers' `call` (`ganzoo.backend.networks`).
- `step_function(model, function)`: Keras' train, test or predict function as the backend runs
  it; on torch under `jit_compile`, compiled for static shapes.
- `use_compilation_cache(folder)`: keeps compiled programs across processes (JAX);
  nothing elsewhere.
"""

import importlib

import keras

_BACKEND = keras.backend.backend()
if _BACKEND not in ("tensorflow", "jax", "torch"):
    raise ImportError(
        "ganzoo trains on the tensorflow, jax and torch backends of Keras. "
        f"Received: KERAS_BACKEND={_BACKEND!r}. Set KERAS_BACKEND to one of those."
    )
_module = importlib.import_module(f"ganzoo.backend.{_BACKEND}")

batch_norm = _module.batch_norm
channels_last_kernel = _module.channels_last_kernel
conv = _module.conv
connect_workers = _module.connect_workers
conv_transpose = _module.conv_transpose
data_parallel = _module.data_parallel
dropout = _module.dropout
group_norm = _module.group_norm
input_gradients = _module.input_gradients
is_chief = _module.is_chief
pad = _module.pad
random_integers = _module.random_integers
random_normal = _module.random_normal
random_uniform = _module.random_uniform
run_network = _module.run_network
step_function = _module.step_function
test_step = _module.test_step
train_step = _module.train_step
use_compilation_cache = _module.use_compilation_cache

__all__ = [
    "batch_norm",
    "channels_last_kernel",
    "connect_workers",
    "conv",
    "conv_transpose",
    "data_parallel",
    "dropout",
    "group_norm",
    "input_gradients",
    "is_chief",
    "pad",
    "random_integers",
    "random_normal",
    "random_uniform",
    "run_network",
    "test_step",
    "train_step",
    "use_compilation_cache",
]
