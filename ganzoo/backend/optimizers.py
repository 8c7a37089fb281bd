"""What the backends' fused optimizer updates may take over from Keras."""

import keras


def plain_adam(optimizer):
    """A Keras Adam with none of the options `apply_gradients` leaves to Keras."""
    return (
        isinstance(optimizer, keras.optimizers.Adam)
        and not optimizer.amsgrad
        and optimizer.weight_decay is None
        and optimizer.clipnorm is None
        and optimizer.clipvalue is None
        and optimizer.global_clipnorm is None
        and not optimizer.use_ema
        and optimizer.gradient_accumulation_steps is None
        and optimizer.built
    )
