"""What the backends' data-parallel steps share: each replica's own noise, and the
batch norms whose statistics the replicas compute together."""

import keras

# The seed-generator offset between replicas: each replica's noise comes from its own
# key stream (the first element of Keras' (seed, counter) state).
REPLICA_SEED_STRIDE = 1_000_003


def seed_generator_states(model):
    """The `(seed, counter)` states of `model`'s seed generators (noise, dropout)."""
    return [v for v in model.seed_states() if v.path.endswith("seed_generator_state")]


def batch_norms(model):
    """Every `keras.layers.BatchNormalization` in `model`, nested networks included."""
    return [
        layer
        for layer in model._flatten_layers()
        if isinstance(layer, keras.layers.BatchNormalization)
    ]
