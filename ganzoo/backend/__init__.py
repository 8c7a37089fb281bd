"""The only backend-specific code in ganzoo, chosen once from `keras.backend.backend()`.

Each backend module exposes the same three names:

- `train_step(model, ...)`: runs `model.phases()` (loss function, network, optimizer,
  repeats) with that backend's gradient plumbing. JAX's signature is
  `(model, state, data)`, the others' `(model, data)`, as in Keras' own trainers.
- `input_gradients(fn, x)`: d(sum fn(x))/dx, differentiable again (gradient penalty).
- `conv_transpose(x, kernel, strides, padding)`: `keras.ops.conv_transpose`; on JAX with
  a custom backward pass that is ~5x faster on CPU (see `ganzoo/backend/jax.py`).
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from ganzoo.backend.tensorflow import conv_transpose, input_gradients, train_step
elif _BACKEND == "jax":
    from ganzoo.backend.jax import conv_transpose, input_gradients, train_step
elif _BACKEND == "torch":
    from ganzoo.backend.torch import conv_transpose, input_gradients, train_step
else:
    raise ImportError(
        "ganzoo trains on the tensorflow, jax and torch backends of Keras. "
        f"Received: KERAS_BACKEND={_BACKEND!r}. Set KERAS_BACKEND to one of those."
    )

__all__ = ["conv_transpose", "input_gradients", "train_step"]
