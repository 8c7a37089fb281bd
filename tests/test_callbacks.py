"""Callbacks: the checkpoint that resumes a run exactly where it stopped."""

import json

import keras
import numpy as np
import pytest
from helpers import (
    batches,
    probe_inputs,
    probe_outputs,
    random_images,
)

import ganzoo
from ganzoo.callbacks import Checkpoint

pytestmark = pytest.mark.every_backend


def test_checkpoint_resumes_exactly_where_it_stopped(tmp_path):
    images = random_images(16, (28, 28, 1))

    def run(epochs, folder):
        keras.utils.set_random_seed(0)
        model = ganzoo.DCGAN(filters=2, seed=0)
        model.compile()
        model.fit(batches(images), epochs=epochs, callbacks=[Checkpoint(folder)], verbose=0)
        return model

    straight = run(3, tmp_path / "straight")
    run(1, tmp_path / "interrupted")  # stopped after one epoch
    state = json.loads((tmp_path / "interrupted" / "state.json").read_text())
    assert state == {"epoch": 1, "weights": "epoch_0001.weights.h5"}
    resumed = run(3, tmp_path / "interrupted")  # a new process builds the model, resumes
    assert int(resumed.optimizer["g_optimizer"].iterations) == 3 * 2
    inputs = probe_inputs(straight)
    np.testing.assert_allclose(
        probe_outputs(resumed, inputs), probe_outputs(straight, inputs), atol=1e-5
    )
    assert sorted(p.name for p in (tmp_path / "interrupted").iterdir()) == [
        "epoch_0003.weights.h5",
        "state.json",
    ]
