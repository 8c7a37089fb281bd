"""Generator export: the SavedModel, loaded by TensorFlow alone, and the ONNX model in
onnxruntime give the Keras generator's outputs; the folder is written whole or not at all."""

import importlib
import json
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
from helpers import batches, random_images, tiny

import ganzoo
from ganzoo.zoo.export import export

# SavedModel and ONNX export run on TensorFlow whatever the backend; a model trained on
# this backend is exported in test_a_conditional_generator_serves_the_documented_rest_body.
pytestmark = pytest.mark.one_backend

SAVED_MODEL_CLI = pathlib.Path(sys.executable).parent / "saved_model_cli"

# Loads a SavedModel with TensorFlow alone and runs TF Serving REST bodies through its
# signatures, as the model server does: "instances" (row format) or "inputs" (columnar).
TF_ONLY_SCRIPT = """
import json, sys
sys.modules["ganzoo"] = None  # importing ganzoo now fails: the SavedModel must not need it
import numpy as np
import tensorflow as tf  # (TensorFlow 2.21 imports keras itself; this script never uses it)

folder, bodies_path, out_path = sys.argv[1:]
loaded = tf.saved_model.load(folder)
outputs = []
for body in json.loads(open(bodies_path).read()):
    signature = loaded.signatures[body.get("signature_name", "serving_default")]
    specs = signature.structured_input_signature[1]
    if "instances" in body:
        columns = {name: [row[name] for row in body["instances"]] for name in specs}
    else:
        columns = body["inputs"]
    tensors = {name: tf.constant(columns[name], dtype=specs[name].dtype) for name in specs}
    (output,) = signature(**tensors).values()
    outputs.append(output.numpy())
np.savez(out_path, *outputs)
"""


def serve(folder, bodies, tmp_path):
    """Runs REST JSON bodies through the SavedModel in a TensorFlow-only process."""
    (tmp_path / "bodies.json").write_text(json.dumps(bodies))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            TF_ONLY_SCRIPT,
            str(folder),
            str(tmp_path / "bodies.json"),
            str(tmp_path / "outputs.npz"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outputs = np.load(tmp_path / "outputs.npz")
    return [outputs[f"arr_{i}"] for i in range(len(bodies))]


@pytest.mark.every_backend
def test_a_conditional_generator_serves_the_documented_rest_body(tmp_path):
    # With a moving average (ema_decay), which is what generate() draws with and what
    # the export must serve, not the raw generator.
    model = ganzoo.ConditionalGAN(filters=4, seed=0, ema_decay=0.5)
    model.compile()  # trained on this backend: the export must carry batch norm's statistics
    model.fit(batches(random_images(8, (28, 28, 1)), np.arange(8) % 10, batch_size=4), verbose=0)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, model.latent_dim)).astype("float32")
    labels = np.array([0, 3, 7, 9, 3])
    (average,) = model.averaged_generators
    last = next(lay for lay in reversed(average.layers) if getattr(lay, "bias", None) is not None)
    last.bias.assign(last.bias + 0.5)  # unlike the raw network
    expected = model.generate_from_latents(z, labels)
    raw = keras.ops.convert_to_numpy(
        model.generator([z, np.eye(10, dtype="float32")[labels]], training=False)
    )
    assert np.abs(raw - expected).max() > 0.1
    folder = export(model, tmp_path / "cgan")
    assert sorted(p.name for p in (tmp_path / "cgan").iterdir()) == ["1"]
    rows = {
        "instances": [
            {"z": row.tolist(), "labels": int(y)} for row, y in zip(z, labels, strict=True)
        ]
    }
    columns = {"inputs": {"z": z.tolist(), "labels": labels.tolist()}}
    for served in serve(folder / "1", [rows, columns], tmp_path):
        np.testing.assert_allclose(served, expected, atol=1e-4)

    shown = subprocess.run(
        [
            str(SAVED_MODEL_CLI),
            "show",
            "--dir",
            str(folder / "1"),
            "--tag_set",
            "serve",
            "--signature_def",
            "serving_default",
        ],
        capture_output=True,
        text=True,
    ).stdout
    for line in (
        "inputs['z'] tensor_info:",
        "inputs['labels'] tensor_info:",
        "outputs['images'] tensor_info:",
        "shape: (-1, 100)",
        "shape: (-1)",
        "shape: (-1, 28, 28, 1)",
        "dtype: DT_INT32",
    ):
        assert line in shown, (line, shown)


def test_a_translator_exports_for_uint8_images_of_any_size(tmp_path):
    model = tiny("cyclegan", input_channels=1, identity_weight=0.0, seed=0)
    folder = export(model, tmp_path / "cyclegan", uint8=True)
    pixels = np.random.default_rng(0).integers(0, 256, (3, 24, 20, 1), dtype=np.uint8)
    expected = np.round((model.translate(pixels / 127.5 - 1.0) + 1) * 127.5)  # not 16x16
    back = np.random.default_rng(1).integers(0, 256, (1, 8, 8, 3), dtype=np.uint8)
    served, served_back = serve(
        folder / "1",
        [
            {"inputs": {"images": pixels.tolist()}},
            {"signature_name": "b_to_a", "inputs": {"images": back.tolist()}},
        ],
        tmp_path,
    )
    assert served.dtype == np.uint8 and served.shape == (3, 24, 20, 3)
    assert np.abs(served.astype(int) - expected).max() <= 1  # float rounding at .5
    expected_back = np.round((model.translate(back / 127.5 - 1.0, "BtoA") + 1) * 127.5)
    assert np.abs(served_back.astype(int) - expected_back).max() <= 1


@pytest.mark.every_backend
@pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="JAX's ONNX export is TensorFlow's, in a subprocess (the TensorFlow lane's test)",
)
@pytest.mark.parametrize("family", ["cgan", "pix2pix", "cyclegan"])
def test_onnx_matches_in_onnxruntime(tmp_path, family):
    """On TensorFlow (tf2onnx) and torch (torch.onnx): a batch size, and for a
    translator an image size, other than those it was traced at; uint8 for Pix2Pix.
    Cost: ~1 s each on torch, ~3 s on TensorFlow."""
    import onnxruntime

    model = tiny(family, seed=0)
    uint8 = family == "pix2pix"
    path = export(model, tmp_path / "model.onnx", format="onnx", uint8=uint8)
    session = onnxruntime.InferenceSession(str(path))
    (output,) = [o.name for o in session.get_outputs()]
    if model.kind == "generator":
        assert [i.name for i in session.get_inputs()] == ["z", "labels"] and output == "images"
        z = np.random.default_rng(0).standard_normal((5, model.latent_dim)).astype("float32")
        labels = np.array([0, 1, 2, 2, 0], "int32")
        (outputs,) = session.run(None, {"z": z, "labels": labels})
        expected = model.generate_from_latents(z, labels)
        np.testing.assert_allclose(outputs, expected, atol=1e-4)
        return
    assert [i.name for i in session.get_inputs()] == ["images"] and output == "translated"
    size = (64, 128) if family == "pix2pix" else (24, 20)
    images = random_images(3, (*size, model.input_channels))
    if uint8:
        pixels = np.round((images + 1) * 127.5).astype(np.uint8)
        (outputs,) = session.run(None, {"images": pixels})
        expected = np.round((model.translate(pixels / 127.5 - 1.0) + 1) * 127.5)
        assert outputs.dtype == np.uint8 and outputs.shape == (3, *size, 3)
        assert np.abs(outputs.astype(int) - expected).max() <= 1  # float rounding at .5
    else:
        (outputs,) = session.run(None, {"images": images})
        np.testing.assert_allclose(outputs, model.translate(images), atol=1e-4)


def test_an_existing_folder_needs_overwrite_and_a_failure_leaves_nothing(tmp_path, monkeypatch):
    model = tiny("dcgan", seed=0)
    folder = export(model, tmp_path / "dcgan")
    with pytest.raises(FileExistsError, match="--overwrite"):
        export(model, folder)
    export(model, folder, overwrite=True, version=2)
    assert sorted(p.name for p in folder.iterdir()) == ["2"]

    export_module = importlib.import_module("ganzoo.zoo.export")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "export_preset", broken)
    monkeypatch.setattr(export_module.subprocess, "run", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export(model, tmp_path / "failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dcgan"]  # no staging left
    with pytest.raises(ValueError, match="ending in .onnx"):
        export(model, tmp_path / "model", format="onnx")


def test_a_shipped_preset_exports_from_the_command_line(tmp_path, capsys):
    import onnxruntime

    from ganzoo.cli import main

    path = tmp_path / "dcgan.onnx"
    assert main(["export", "dcgan_mnist5k", "--format", "onnx", "--out", str(path)]) == 0
    z = np.random.default_rng(0).standard_normal((3, 100)).astype("float32")
    (outputs,) = onnxruntime.InferenceSession(str(path)).run(None, {"z": z})
    # The preset's moving average (ema_decay), as `generate` and the README use it.
    expected = ganzoo.from_preset("dcgan_mnist5k").generate_from_latents(z)
    np.testing.assert_allclose(outputs, expected, atol=1e-4)
    assert main(["export", "dcgan_mnist5k", "--format", "onnx", "--out", str(path)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_test_time_dropout_draws_new_masks_and_uses_the_batch_statistics(tmp_path):
    import tensorflow as tf

    model = tiny("pix2pix", output_channels=1, seed=0)  # depth 6: dropout in decoder level 5
    images = random_images(3, (64, 64, 1))
    folder = export(model, tmp_path / "paper", test_time_dropout=True)
    loaded = tf.saved_model.load(str(folder / "1"))
    state = [v.numpy() for v in loaded.variables]
    served = np.stack(
        [
            loaded.signatures["serving_default"](images=tf.constant(images))["translated"]
            for _ in range(40)
        ]
    )
    assert np.abs(served[0] - served[1]).max() > 1e-3  # a new dropout mask on every call
    for before, after in zip(state, loaded.variables, strict=True):
        np.testing.assert_array_equal(before, after.numpy())  # serving writes nothing
    in_training = np.stack(
        [keras.ops.convert_to_numpy(model.generator(images, training=True)) for _ in range(40)]
    )
    in_inference = model.translate(images)
    # Averaged over masks, the export agrees with Keras' training mode, not inference mode.
    gap = np.abs(served.mean(0) - in_training.mean(0)).mean()
    assert gap < 0.2 * np.abs(served.mean(0) - in_inference).mean()

    with pytest.raises(ValueError, match="has no dropout layer"):
        export(tiny("cyclegan", seed=0), tmp_path / "cyclegan", test_time_dropout=True)
    with pytest.raises(ValueError, match="tf_saved_model"):
        export(model, tmp_path / "paper.onnx", format="onnx", test_time_dropout=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper"]


def test_a_new_version_goes_beside_the_others(tmp_path):
    model = tiny("dcgan", seed=0)
    folder = export(model, tmp_path / "dcgan")
    export(model, folder, version=2)  # no overwrite needed: TF Serving serves the highest
    assert sorted(p.name for p in folder.iterdir()) == ["1", "2"]
    with pytest.raises(FileExistsError, match="another version"):
        export(model, folder, version=2)
