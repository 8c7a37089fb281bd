"""Learning-rate policies of pytorch-CycleGAN-and-pix2pix, as Keras schedules.

The reference counts epochs; a `LearningRateSchedule` is called with the optimizer's
step, so each policy takes `steps_per_epoch` (batches per epoch) and converts. Give
the same schedule to every optimizer (`model.compile(learning_rate=schedule)`): each
evaluates it at its own step count.

| `lr_policy` | learning rate at epoch e (0-based)               | reference flags      |
|-------------|--------------------------------------------------|----------------------|
| `constant`  | lr                                               |                      |
| `linear`    | lr for `epochs`, then linear to 0 in `decay_epochs` | `--n_epochs(_decay)` |
| `step`      | lr * 0.1^floor(e / step_epochs)                  | `--lr_decay_iters`   |
| `cosine`    | lr * (1 + cos(pi * e / epochs)) / 2              | `--n_epochs`         |

`linear` decays per step rather than per epoch, and reaches exactly 0 at the end
(the reference stops one decay step short of 0).
"""

import keras
from keras import ops

from ganzoo.errors import InvalidArgumentError

POLICIES = ("constant", "linear", "step", "cosine")


@keras.saving.register_keras_serializable(package="ganzoo")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant for `constant_steps`, then linear to 0 over `decay_steps`.

    lr(step) = initial_learning_rate * min(1, max(0, 1 - (step - constant_steps) / decay_steps))

    Args:
        initial_learning_rate: Float.
        constant_steps: steps at the initial rate.
        decay_steps: steps of the linear decay (> 0).
    """

    def __init__(self, initial_learning_rate, constant_steps, decay_steps):
        if decay_steps <= 0 or constant_steps < 0:
            raise InvalidArgumentError(
                "LinearDecay needs constant_steps >= 0 and decay_steps > 0. Received: "
                f"constant_steps={constant_steps}, decay_steps={decay_steps}."
            )
        self.initial_learning_rate = float(initial_learning_rate)
        self.constant_steps = int(constant_steps)
        self.decay_steps = int(decay_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        fraction = 1.0 - (step - self.constant_steps) / self.decay_steps
        return self.initial_learning_rate * ops.clip(fraction, 0.0, 1.0)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }


def learning_rate_schedule(
    lr_policy,
    learning_rate=2e-4,
    steps_per_epoch=None,
    epochs=100,
    decay_epochs=100,
    step_epochs=50,
):
    """The reference's `--lr_policy`, as a float (constant) or a Keras schedule.

    Args:
        lr_policy: `"constant"`, `"linear"`, `"step"` or `"cosine"`.
        learning_rate: the initial rate (`--lr`). Defaults to 2e-4.
        steps_per_epoch: batches per epoch; needed by every policy but `constant`.
        epochs: epochs at the initial rate (`--n_epochs`; the period for `cosine`).
            Defaults to 100.
        decay_epochs: epochs of linear decay (`--n_epochs_decay`); 0 keeps the rate
            constant, as the reference's rule does. Defaults to 100.
        step_epochs: epochs between x0.1 steps (`--lr_decay_iters`). Defaults to 50.
    """
    if lr_policy not in POLICIES:
        raise InvalidArgumentError(
            f"Unknown lr_policy {lr_policy!r}. Choose one of {list(POLICIES)}."
        )
    if lr_policy == "constant" or (lr_policy == "linear" and decay_epochs == 0):
        return float(learning_rate)
    if not steps_per_epoch or steps_per_epoch < 1:
        raise InvalidArgumentError(
            f"lr_policy={lr_policy!r} counts epochs: give steps_per_epoch, the number of "
            f"batches in one epoch (e.g. len(dataset)). Received: {steps_per_epoch}."
        )
    if lr_policy == "linear":
        return LinearDecay(learning_rate, epochs * steps_per_epoch, decay_epochs * steps_per_epoch)
    if lr_policy == "step":
        return keras.optimizers.schedules.ExponentialDecay(
            learning_rate, step_epochs * steps_per_epoch, decay_rate=0.1, staircase=True
        )
    return keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps_per_epoch)
