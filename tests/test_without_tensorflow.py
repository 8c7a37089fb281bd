"""On JAX and torch ganzoo runs where TensorFlow cannot be imported (not installed, or
not built for the GPU): in a subprocess whose import system refuses `tensorflow` as a
missing package, every family builds and trains on arrays, presets generate and
translate, the metrics score, `ganzoo sample`, `eval`, `translate` and `train` (on the
offline sets) and, on torch, `ganzoo export --format onnx` run, a stopped run resumes
to the weights of one never stopped, and what needs TensorFlow (a tfds recipe, the data
pipelines, a SavedModel export, ONNX from JAX) says so in one line."""

import json
import subprocess
import sys

import keras
import numpy as np
import onnxruntime
import pytest
from helpers import TINY

import ganzoo

pytestmark = [
    pytest.mark.every_backend,
    pytest.mark.skipif(
        keras.backend.backend() == "tensorflow", reason="the TensorFlow backend is TensorFlow"
    ),
]

# A finder ahead of the others that answers for tensorflow as an absent package does:
# `find_spec` gives no origin (torch probes it) and the import raises ModuleNotFoundError.
REFUSE_TENSORFLOW = """
import importlib.abc, importlib.machinery, sys
class Absent(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "tensorflow_datasets", "tf2onnx"):
            return importlib.machinery.ModuleSpec(name, self)
    def create_module(self, spec):
        raise ModuleNotFoundError(f"No module named {spec.name!r}", name=spec.name)
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, Absent())
"""

WORK = """
import contextlib, io, json, os, sys
TINY_DCGAN = {"model.filters": 2, "data.batch_size": 16, "train.epochs": 2,
    "train.steps_per_epoch": 3, "train.checkpoint_every_steps": 2, "eval.num_samples": 16,
    "eval.within_floor": 1e9}
SETTINGS = [item for key, value in TINY_DCGAN.items() for item in ("--set", f"{key}={value}")]
import numpy as np
import ganzoo
from ganzoo.cli import main

said = {}
rng = np.random.default_rng(0)
for name, options in json.loads(sys.argv[2]).items():  # tests/helpers.py's TINY models
    model = getattr(ganzoo, name)(**options)
    model.compile()
    if model.kind == "generator":
        x = rng.uniform(-1, 1, (8, *model.image_shape)).astype("float32")
        y = None if model.num_classes is None else np.arange(8) % model.num_classes
    else:
        x = rng.uniform(-1, 1, (4, *model.image_size, model.input_channels)).astype("float32")
        y = rng.uniform(-1, 1, (4, *model.image_size, model.output_channels)).astype("float32")
    model.fit(x, y, batch_size=4 if model.kind == "generator" else 2, epochs=1, verbose=0)
said["generated"] = ganzoo.from_preset("dcgan_mnist5k").generate(4, seed=0).shape
said["translated"] = ganzoo.from_preset("pix2pix_fonts").translate(
    np.zeros((32, 32, 1), "float32")).shape
from ganzoo.metrics.held_out import held_out_scores
said["scored"] = sorted(held_out_scores(ganzoo.from_preset("dcgan_mnist5k"), None, 32))
out = sys.argv[1]
from PIL import Image
Image.fromarray(rng.integers(0, 256, (32, 32), dtype=np.uint8)).save(f"{out}/glyph.png")
for name, argv in {
    "sample": ["sample", "dcgan_mnist5k", "--n", "4", "--out", f"{out}/grid.png"],
    "eval": ["eval", "dcgan_mnist5k", "--n", "32", "--json"],
    "translate": ["translate", "pix2pix_fonts", f"{out}/glyph.png", "--out", f"{out}/glyphs"],
    "train": ["train", "dcgan_mnist5k", *SETTINGS, "--out", f"{out}/run"],
    "tfds": ["train", "cgan_mnist", "--out", f"{out}/tfds"],
    "onnx": ["export", "dcgan_mnist5k", "--format", "onnx", "--out", f"{out}/dcgan.onnx"],
    "saved_model": ["export", "dcgan_mnist5k", "--out", f"{out}/serving"],
}.items():
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(argv)
        except SystemExit as exit:
            status = exit.code
    said[name] = [status, err.getvalue().strip()]
try:
    from ganzoo.data import image_batches
except Exception as error:
    said["pipeline"] = [type(error).__name__, str(error)]

# The same DCGAN run stopped by Ctrl-C in its last step (its last checkpoint
# mid-epoch: epoch 2, step 2) and run again ends with the weights of the run never
# stopped.
from ganzoo.callbacks import StopOnNonFinite
from ganzoo.zoo import run
from ganzoo.zoo.recipes import load_recipe
recipe = load_recipe("dcgan_mnist5k", TINY_DCGAN)
straight = ganzoo.from_preset(f"{out}/run/preset")  # `ganzoo train` above, never stopped
with contextlib.redirect_stdout(io.StringIO()):
    check, steps = StopOnNonFinite.on_train_batch_end, []
    def stop_after_six(self, batch, logs=None):
        check(self, batch, logs)
        steps.append(batch)
        if len(steps) == 6:
            raise KeyboardInterrupt
    StopOnNonFinite.on_train_batch_end = stop_after_six
    try:
        run.train(recipe, f"{out}/stopped", verbose=0)
    except KeyboardInterrupt:
        pass
    StopOnNonFinite.on_train_batch_end = check
    said["stopped_at"] = json.load(open(f"{out}/stopped/checkpoint/state.json"))
    resumed = ganzoo.from_preset(run.train(recipe, f"{out}/stopped", verbose=0))
said["resumed_exactly"] = all(np.array_equal(a, b) for a, b in zip(
    straight.get_weights(), resumed.get_weights(), strict=True))
said["imported"] = "tensorflow" in sys.modules
print(json.dumps(said))
"""


@pytest.mark.slow
def test_ganzoo_runs_where_tensorflow_does_not_import(tmp_path):
    """Cost: ~25 s (a subprocess: every tiny family trains, two presets, scores, three
    tiny recipe runs)."""
    models = json.dumps({cls.__name__: options for cls, options in TINY.values()})
    done = subprocess.run(
        [sys.executable, "-c", REFUSE_TENSORFLOW + WORK, str(tmp_path), models],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    said = json.loads(done.stdout.strip().splitlines()[-1])
    assert said["generated"] == [4, 28, 28, 1] and said["translated"] == [32, 32, 1]
    assert "kid" in said["scored"] or "fid" in said["scored"], said["scored"]
    assert said["sample"] == [0, ""] and (tmp_path / "grid.png").is_file()
    assert said["eval"][0] == 0, said["eval"]
    assert said["translate"] == [0, ""] and (tmp_path / "glyphs" / "glyph.png").is_file()
    assert said["train"] == [0, ""] and (tmp_path / "run" / "preset").is_dir()
    assert not (tmp_path / "run" / "logs").exists()  # TensorBoard's writers are TensorFlow's
    if keras.backend.backend() == "torch":  # torch.onnx; onnxruntime runs it as Keras
        assert said["onnx"] == [0, ""], said["onnx"]
        z = np.random.default_rng(0).standard_normal((3, 100)).astype("float32")
        session = onnxruntime.InferenceSession(str(tmp_path / "dcgan.onnx"))
        (images,) = session.run(None, {"z": z})
        expected = ganzoo.from_preset("dcgan_mnist5k").generate_from_latents(z)
        np.testing.assert_allclose(images, expected, atol=1e-4)
    else:  # JAX's ONNX export goes through TensorFlow
        status, message = said["onnx"]
        assert status == 2 and "\n" not in message and "KERAS_BACKEND=torch" in message, message
    status, message = said["saved_model"]
    assert status == 2 and "\n" not in message, message
    assert "SavedModel export" in message and "pip install tensorflow" in message, message
    assert not (tmp_path / "serving").exists()
    status, message = said["tfds"]
    assert status == 2 and message.count("\n") == 0, message
    assert "tf.data pipelines need TensorFlow" in message and "pip install tensorflow" in message
    assert said["stopped_at"]["epoch"] == 1 and said["stopped_at"].get("step") == 2, said[
        "stopped_at"
    ]
    assert said["resumed_exactly"]
    kind, message = said["pipeline"]
    assert kind == "GanzooError" and "tf.data pipelines need TensorFlow" in message
    assert not said["imported"]
