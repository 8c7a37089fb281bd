"""Shared checks: each model family's tests are a few calls to these with tiny kwargs."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import ganzoo

BACKENDS = ("tensorflow", "jax", "torch")
# XLA (JAX's) compiling without LLVM's optimisations: the same operations, and the time
# of a tiny model's step is mostly its compiling (the JAX lanes' quick part runs so).
TINY_XLA_FLAGS = " ".join(
    [os.environ.get("XLA_FLAGS", ""), "--xla_backend_optimization_level=0"]
).strip()

# The five families at tiny sizes: every test that needs "a model of this family" takes
# it from here, `tiny(family, **overrides)`. The translators use the reference's
# networks at the smallest sizes they take: unet_64 has six levels, so its fifth
# decoder level has dropout; the basic (70x70) PatchGAN needs 24 px.
SHAPE = (16, 16, 1)
TINY = {
    "gan": (
        ganzoo.GAN,
        {
            "image_shape": SHAPE,
            "latent_dim": 8,
            "generator_units": (16,),
            "discriminator_units": (16,),
        },
    ),
    "dcgan": (ganzoo.DCGAN, {"image_shape": SHAPE, "latent_dim": 8, "filters": 4}),
    "cgan": (
        ganzoo.ConditionalGAN,
        {"num_classes": 3, "image_shape": SHAPE, "latent_dim": 8, "filters": 4},
    ),
    "pix2pix": (
        ganzoo.Pix2Pix,
        {
            "image_size": (64, 64),
            "input_channels": 1,
            "output_channels": 3,
            "generator": "unet_64",
            "generator_filters": 2,
            "discriminator_filters": 2,
        },
    ),
    "cyclegan": (
        ganzoo.CycleGAN,
        {
            "image_size": (32, 32),
            "generator": "resnet_1blocks",
            "generator_filters": 2,
            "discriminator_filters": 2,
            "pool_size": 3,
        },
    ),
}


def tiny(family, **overrides):
    """The tiny model of `family` (a key of TINY), with constructor arguments overridden."""
    cls, options = TINY[family]
    return cls(**{**options, **overrides})


def tiny_data(model, num=None, batch_size=None, layout="pair"):
    """Random training batches of `model`'s shapes.

    Generators: 16 images (and class ids for conditional models) in batches of 8.
    Translators: 4 `(A, B)` pairs in batches of 2 (in the model's direction), or with
    `layout="domains"` `{"A", "B"}` dicts as the unpaired loaders give.
    """
    if model.kind == "generator":
        num, batch_size = num or 16, batch_size or 8
        images = random_images(num, model.image_shape)
        if model.num_classes is None:
            return batches(images, batch_size=batch_size)
        labels = np.arange(num, dtype="int32") % model.num_classes
        return batches(images, labels, batch_size=batch_size)
    num, batch_size = num or 4, batch_size or 2
    a = random_images(num, (*model.image_size, model.input_channels), seed=1)
    b = random_images(num, (*model.image_size, model.output_channels), seed=2)
    if model.kind == "translator" and model.direction == "BtoA":  # Pix2Pix learning B -> A
        a, b = b, a
    elements = (a, b) if layout == "pair" else {"A": a, "B": b}
    return tf.data.Dataset.from_tensor_slices(elements).batch(batch_size, drop_remainder=True)


def random_images(num, shape, seed=0):
    """Uniform images in [-1, 1], float32 `(num, *shape)`."""
    return np.random.default_rng(seed).uniform(-1, 1, (num, *shape)).astype("float32")


def batches(images, labels=None, batch_size=8):
    elements = images if labels is None else (images, labels)
    return tf.data.Dataset.from_tensor_slices(elements).batch(batch_size, drop_remainder=True)


def weights_of(networks):
    return [
        np.array(keras.ops.convert_to_numpy(v)) for n in networks for v in n.trainable_variables
    ]


def run_fit_test(model, dataset, epochs=1, unmoved=(), **compile_kwargs):
    """fit runs; each optimizer steps once per batch (k times for a phase repeated k
    times); every weight moves; finite logs.

    `unmoved` names variables whose gradient is exactly zero by the math of the
    objective (the test says why), so they may keep their initial value.
    """
    steps = epochs * int(dataset.cardinality())
    model.compile(**compile_kwargs)
    networks = model.optimized_networks()
    before = {key: weights_of(nets) for key, nets in networks.items()}
    history = model.fit(dataset, epochs=epochs, verbose=0)
    repeats = {id(phase.optimizer): phase.repeats for phase in model.phases()}
    for key, optimizer in model.optimizer.members().items():
        assert int(optimizer.iterations) == steps * repeats[id(optimizer)], key
    for key, nets in networks.items():
        variables = [v for n in nets for v in n.trainable_variables]
        unchanged = [
            v.path
            for v, a, b in zip(variables, before[key], weights_of(nets), strict=True)
            if np.array_equal(a, b) and v.path not in unmoved
        ]
        assert not unchanged, f"{key}: weights did not move: {unchanged}"
    for name in model.tracked_metrics:
        assert np.all(np.isfinite(history.history[name])), (name, history.history)
    return history


def probe_inputs(model, num=4, seed=0):
    """Inputs for the model's generator(s): latents (and labels), or images."""
    rng = np.random.default_rng(seed)
    if model.kind != "generator":
        images = [
            random_images(num, (*model.image_size, network.input_shape[-1]), seed + i)
            for i, network in enumerate(model.generators())
        ]
        return images[0] if len(images) == 1 else images
    z = rng.standard_normal((num, model.latent_dim)).astype("float32")
    if model.num_classes is None:
        return z
    return [z, np.eye(model.num_classes, dtype="float32")[rng.integers(0, model.num_classes, num)]]


def probe_outputs(model, inputs):
    """What the model's generator(s) make of `probe_inputs`, in inference mode, flat."""
    networks = model.generators()
    if len(networks) > 1:  # one input per network
        outputs = [network(x, training=False) for network, x in zip(networks, inputs, strict=True)]
    else:
        outputs = [networks[0](inputs, training=False)]
    return np.concatenate([keras.ops.convert_to_numpy(o).reshape(-1) for o in outputs])


def run_saving_test(model_factory, dataset, tmp_path):
    """Config round-trips; `.keras` reload gives the same class, config, outputs and
    optimizer state; training resumed from the file matches uninterrupted training."""
    model = model_factory()
    config = model.get_config()
    assert type(model).from_config(json.loads(json.dumps(config))).get_config() == config

    model.compile()
    model.fit(dataset, epochs=1, verbose=0, shuffle=False)
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored) is type(model)
    assert restored.get_config() == config
    inputs = probe_inputs(model)
    np.testing.assert_allclose(
        probe_outputs(restored, inputs), probe_outputs(model, inputs), atol=1e-6
    )
    for key, optimizer in model.optimizer.members().items():
        twin = restored.optimizer[key]
        assert int(twin.iterations) == int(optimizer.iterations) > 0, key
        for a, b in zip(optimizer.variables, twin.variables, strict=True):
            np.testing.assert_allclose(np.asarray(b), np.asarray(a), atol=1e-7)
    for a, b in zip(model.non_trainable_variables, restored.non_trainable_variables, strict=True):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a), err_msg=a.path)

    # Resume: one more epoch on the reloaded model == one more on the original.
    model.fit(dataset, epochs=1, verbose=0, shuffle=False)
    restored.fit(dataset, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(
        probe_outputs(restored, inputs), probe_outputs(model, inputs), atol=1e-5
    )


def save_trained(families, folder):
    """Trains the tiny model of each family one epoch on this process's backend and
    saves it in `folder`: `.keras`, config + `.weights.h5`, probe inputs and outputs."""
    folder.mkdir(parents=True)
    for family in families:
        model = tiny(family, seed=2)
        model.compile()
        model.fit(tiny_data(model), epochs=1, verbose=0)
        inputs = probe_inputs(model)
        model.save(folder / f"{family}.keras")
        model.save_weights(folder / f"{family}.weights.h5")
        (folder / f"{family}.json").write_text(json.dumps(model.get_config()))
        np.savez(
            folder / f"{family}_inputs.npz", *(inputs if isinstance(inputs, list) else [inputs])
        )
        np.save(folder / f"{family}_outputs.npy", probe_outputs(model, inputs))
    (folder / "names.json").write_text(json.dumps(list(families)))


def reload_and_compare(folder):
    """For each model `save_trained` saved in `folder` (on another backend), the largest
    output difference of its `.keras` file and of its config + `.weights.h5`, on this
    process's backend, against the outputs saved with it."""
    report = {}
    for name in json.loads((folder / "names.json").read_text()):
        inputs = list(np.load(folder / f"{name}_inputs.npz").values())
        inputs = inputs[0] if len(inputs) == 1 else inputs
        expected = np.load(folder / f"{name}_outputs.npy")
        loaded = keras.saving.load_model(folder / f"{name}.keras")
        rebuilt = type(loaded).from_config(json.loads((folder / f"{name}.json").read_text()))
        rebuilt.load_weights(folder / f"{name}.weights.h5")
        report[name] = [
            float(np.abs(probe_outputs(m, inputs) - expected).max()) for m in (loaded, rebuilt)
        ]
    return report


def save_and_compare(folder, families, sources):
    """This backend's half of `run_cross_backend_test`: saves its trained models in
    `folder/BACKEND` when `families` are given, then reloads those of `sources`.
    Returns `{"SOURCE -> BACKEND": reload_and_compare(...)}`."""
    here = keras.backend.backend()
    if families:
        save_trained(families, folder / here)
    return {f"{source} -> {here}": reload_and_compare(folder / source) for source in sources}


def run_cross_backend_test(families, tmp_path, atol=1e-4):
    """Weights saved on each backend load on the two others: each backend trains the
    tiny model of each family one epoch and saves it, and each reloads the others'
    (`.keras` and config + `.weights.h5`) in a process of its own; the outputs must be
    those saved with them. Six pairs in four processes: this one, a second backend (saves,
    reloads this one's), the third (saves, reloads both), the second again (reloads the
    third's), then this one reloads the other two."""
    here = keras.backend.backend()
    # The backend that starts and reloads fastest runs twice: torch, else TensorFlow.
    second, third = (b for b in ("torch", "tensorflow", "jax") if b != here)
    report = save_and_compare(tmp_path, families, [])
    for backend, saves, sources in (
        (second, True, [here]),
        (third, True, [here, second]),
        (second, False, [third]),
    ):
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                str(tmp_path),
                ",".join(families if saves else []),
                *sources,
            ],
            env={**os.environ, "KERAS_BACKEND": backend, "XLA_FLAGS": TINY_XLA_FLAGS},
            capture_output=True,
            text=True,
            cwd=pathlib.Path(__file__).parent,
        )
        assert result.returncode == 0, (backend, result.stderr[-3000:])
        report.update(json.loads(result.stdout.strip().splitlines()[-1]))
    report.update(save_and_compare(tmp_path, [], [second, third]))
    assert len(report) == 6, sorted(report)
    for pair, differences in report.items():
        for name, diffs in differences.items():
            assert max(diffs) <= atol, (pair, name, diffs)


def preset_reference_outputs(model):
    """A preset's outputs on fixed inputs: 4 samples (seed 0), or its held-out
    translations of 4 examples, as `ganzoo.images.preview_images` lays them out."""
    from ganzoo.images import preview_images
    from ganzoo.metrics.held_out import held_out_examples

    examples = None
    if model.kind != "generator":
        data = model.preset_metadata["recipe"]["eval"]["data"]
        examples = held_out_examples(model, data, count=4)
    if model.kind == "segmenter":  # its class scores: the colours are their argmax
        return np.asarray(model.predict(examples[0], verbose=0))
    return preview_images(model, examples, num_images=4, seed=0)[0]


def flipped(data):
    """`data` (bytes) with its middle byte inverted: a damaged copy of the same size."""
    data = bytearray(data)
    data[len(data) // 2] ^= 0xFF
    return bytes(data)


def side_by_side_archive(server, name, count=2, size=36):
    """A pix2pix-style archive: NAME/train/i.jpg, each A | B side by side."""
    folder = server / name / "train"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        pair = rng.integers(0, 256, (size, 2 * size, 3), dtype=np.uint8)
        Image.fromarray(pair).save(folder / f"{i}.jpg")
    with tarfile.open(server / f"{name}.tar.gz", "w:gz") as tar:
        tar.add(server / name, arcname=name)


if __name__ == "__main__":  # another backend's part of run_cross_backend_test
    folder, families, *sources = sys.argv[1:]
    print(
        json.dumps(
            save_and_compare(pathlib.Path(folder), families.split(",") if families else [], sources)
        )
    )


def open_in_browser(page, screenshot):
    """Opens a local HTML page in headless Chromium (the system's, driven by
    Playwright), waits for its images, and saves a full-page screenshot.

    Returns:
        `(images, broken, errors)`: the number of images, the sources of those that
        did not load, and the console's errors. Skips the test where no Chromium is
        installed, unless GANZOO_REQUIRE_BROWSER is set (CI sets it).
    """
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        if os.environ.get("GANZOO_REQUIRE_BROWSER"):
            raise AssertionError("GANZOO_REQUIRE_BROWSER is set and no chromium is installed")
        pytest.skip("no chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(pathlib.Path(page).resolve().as_uri(), wait_until="load")
        # Lazy images load once scrolled to; decode() waits for each.
        tab.evaluate("[...document.images].forEach(i => { i.loading = 'eager'; })")
        tab.evaluate("Promise.all([...document.images].map(i => i.decode().catch(() => 0)))")
        images = tab.evaluate("document.images.length")
        broken = tab.evaluate(
            "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        tab.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return images, broken, errors
