"""The supervised UNet: digit scenes, per-pixel loss and metrics, learning on this
backend, saving, and the CLI's colour-coded masks."""

import keras
import numpy as np
import pytest
from helpers import random_images

import ganzoo
from ganzoo.cli import main
from ganzoo.colours import class_colours
from ganzoo.data import SCENE_CLASSES, image_batches, load_digit_scenes, load_mnist5k
from ganzoo.metrics import segmentation_scores
from ganzoo.models.unet import MeanIoU, PixelCrossEntropy

pytestmark = pytest.mark.every_backend


def tiny_unet(**overrides):
    options = {"num_classes": 11, "image_size": (32, 32), "network": "unet_16", "filters": 4}
    return ganzoo.UNet(**{**options, **overrides})


def test_digit_scenes_label_each_pixel_with_the_digit_whose_ink_covers_it():
    images, masks = load_digit_scenes("test", size=32)
    digits, labels = load_mnist5k("test")
    assert images.shape == (1000, 32, 32, 3) and masks.shape == (1000, 32, 32)
    assert images.min() >= -1 and images.max() <= 1 and masks.dtype == np.int32
    assert set(np.unique(masks)) == set(range(len(SCENE_CLASSES)))
    for i in range(20):  # the scene's own digit is in it, where its ink is (if not covered)
        assert labels[i] + 1 in masks[i]
    np.testing.assert_array_equal(load_digit_scenes("test", size=32)[1], masks)  # fixed
    assert not np.array_equal(load_digit_scenes("test", size=32, seed=1)[1], masks)
    assert 0.8 < (masks == 0).mean() < 0.95  # mostly background: weights can help
    with pytest.raises(ValueError, match="size must be at least 28"):
        load_digit_scenes("test", size=16)


def test_pixel_cross_entropy_weights_each_pixel_by_its_class():
    scores = np.random.default_rng(0).normal(size=(2, 4, 4, 3)).astype("float32")
    truth = np.random.default_rng(1).integers(0, 3, (2, 4, 4))
    log_p = scores - np.log(np.exp(scores).sum(-1, keepdims=True))
    per_pixel = -np.take_along_axis(log_p, truth[..., None], -1)[..., 0]
    weights = np.array([0.5, 2.0, 1.0])
    loss = PixelCrossEntropy([0.5, 2.0, 1.0])(truth, scores)
    np.testing.assert_allclose(float(loss), (per_pixel * weights[truth]).mean(), rtol=1e-5)


def test_segmentation_scores_count_pixels_and_classes():
    class Oracle:
        num_classes = 3

        def predict_maps(self, images, batch_size):
            return np.array([[[0, 1], [1, 2]]])

    scores = segmentation_scores(Oracle(), None, np.array([[[0, 1], [2, 2]]]))
    assert scores["pixel_accuracy"] == 0.75
    assert np.isclose(scores["mean_iou"], (1 + 1 / 2 + 1 / 2) / 3)  # per-class TP / union


def test_a_unet_refuses_what_its_task_does_not_take():
    with pytest.raises(ValueError, match="task must be one of"):
        tiny_unet(task="detection")
    with pytest.raises(ValueError, match="a segmentation UNet takes num_classes"):
        tiny_unet(num_classes=None)
    with pytest.raises(ValueError, match="a regression UNet takes output_channels"):
        tiny_unet(task="regression")
    with pytest.raises(ValueError, match=r"class_weights are for segmentation, one per class"):
        tiny_unet(class_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"image_size \(40, 40\) does not fit .* multiples of 16"):
        tiny_unet(image_size=(40, 40))
    with pytest.raises(ValueError, match=r"shape \(batch, height, width, 3\)"):
        tiny_unet().predict_maps(random_images(1, (32, 32, 1)))
    assert tiny_unet().predict_maps(random_images(2, (20, 36, 3))).shape == (2, 20, 36)


@pytest.mark.parametrize("upsampling, network", [("transposed", "unet_16"),
                                                 ("unpool", "hourglass_16")])  # fmt: skip
def test_a_unet_trains_saves_and_reloads(tmp_path, upsampling, network):
    images, masks = load_digit_scenes("validation", size=32)
    model = tiny_unet(network=network, upsampling=upsampling, class_weights=[0.2] + [1.0] * 10)
    model.compile()
    history = model.fit(image_batches(images[:64], masks[:64], batch_size=16), epochs=2,
                        verbose=0)  # fmt: skip
    assert set(history.history) >= {"loss", "pixel_accuracy", "mean_iou"}
    path = tmp_path / "unet.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert restored.get_config() == model.get_config()
    assert int(restored.optimizer.iterations) == int(model.optimizer.iterations) == 8
    for a, b in zip(model.optimizer.variables, restored.optimizer.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a))
    np.testing.assert_array_equal(restored.predict_maps(images[:4]), model.predict_maps(images[:4]))
    preset = model.save_to_preset(tmp_path / "preset")
    assert type(ganzoo.from_preset(preset)) is ganzoo.UNet


@pytest.mark.slow  # ~20 s on JAX: SSIM and PSNR metrics compile
def test_a_regression_unet_learns_with_l2_and_reports_psnr():
    model = tiny_unet(task="regression", num_classes=None, output_channels=1,
                      regression_loss="l2")  # fmt: skip
    model.compile()
    images = random_images(32, (32, 32, 3))
    targets = images.mean(-1, keepdims=True)  # greyscale: a per-pixel map
    history = model.fit(images, targets, batch_size=8, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert {"psnr", "ssim"} <= set(history.history)
    assert model.predict_maps(images[:2]).shape == (2, 32, 32, 1)


@pytest.mark.slow
@pytest.mark.long_run
# One lane (~45 s): Keras' own train step over ganzoo's U-Net blocks, which every backend
# trains to quality in the Pix2Pix test of tests/test_quality.py.
@pytest.mark.one_backend
def test_the_segmentation_unet_learns_the_digit_scenes_far_above_a_constant():
    """Four minutes of this CPU at most: mean IoU on held-out scenes at least 3x a
    constant "background" predictor's (0.083)."""
    images, masks = load_digit_scenes("train", size=32)
    test_images, test_masks = load_digit_scenes("test", size=32)
    keras.utils.set_random_seed(0)
    model = tiny_unet(filters=16)
    model.compile(learning_rate=2e-3)
    model.fit(image_batches(images, masks, batch_size=32), epochs=8, verbose=0)
    constant = (test_masks == 0).mean() / len(SCENE_CLASSES)
    scores = segmentation_scores(model, test_images, test_masks)
    assert scores["mean_iou"] > 3 * constant, (scores, constant)


def test_translate_writes_colour_coded_masks(tmp_path):
    model = tiny_unet()
    preset = model.save_to_preset(tmp_path / "preset")
    images, _ = load_digit_scenes("test", size=32)
    folder = tmp_path / "scenes"
    folder.mkdir()
    from PIL import Image

    Image.fromarray(((images[0] + 1) * 127.5).astype(np.uint8)).save(folder / "scene.png")
    assert main(["translate", str(preset), str(folder), "--out", str(tmp_path / "out")]) == 0
    written = np.asarray(Image.open(tmp_path / "out" / "scene.png"))
    palette = (class_colours(np.arange(11), 11) + 1) * 127.5
    colours = {tuple(c) for c in written.reshape(-1, 3)}
    assert colours <= {tuple(np.round(c).astype(int)) for c in palette}


def test_the_training_psnr_and_ssim_match_the_evaluation_ones():
    from ganzoo import losses, metrics

    images = random_images(3, (24, 20, 3))
    targets = np.clip(images + random_images(3, (24, 20, 3), seed=1) * 0.2, -1, 1)
    per_image_ssim = keras.ops.convert_to_numpy(losses.ssim(targets, images))
    per_image_psnr = keras.ops.convert_to_numpy(losses.psnr(targets, images))
    np.testing.assert_allclose(per_image_ssim.mean(), metrics.ssim(images, targets), atol=1e-5)
    np.testing.assert_allclose(per_image_psnr.mean(), metrics.psnr(images, targets), rtol=1e-5)


def test_a_segmentation_savedmodel_serves_classes_and_probabilities(tmp_path):
    import tensorflow as tf

    model = tiny_unet()
    images, _ = load_digit_scenes("test", size=32)
    folder = ganzoo.export(model, tmp_path / "unet")
    served = tf.saved_model.load(str(folder / "1")).signatures["serving_default"]
    outputs = served(images=tf.constant(images[:3]))
    np.testing.assert_array_equal(outputs["classes"].numpy(), model.predict_maps(images[:3]))
    probabilities = outputs["probabilities"].numpy()
    assert probabilities.shape == (3, 32, 32, 11)
    np.testing.assert_allclose(probabilities.sum(-1), 1, atol=1e-5)


@pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="JAX's ONNX export is TensorFlow's, in a subprocess (the TensorFlow lane's test)",
)
def test_a_segmentation_onnx_gives_classes_and_probabilities(tmp_path):
    """tf2onnx on TensorFlow, torch.onnx on torch, at another size than traced. Cost:
    ~1 s on torch, ~3 s on TensorFlow."""
    import onnxruntime

    model = tiny_unet()
    images, _ = load_digit_scenes("test", size=48)
    path = ganzoo.export(model, tmp_path / "unet.onnx", format="onnx")
    session = onnxruntime.InferenceSession(str(path))
    classes, probabilities = session.run(["classes", "probabilities"], {"images": images[:3]})
    np.testing.assert_array_equal(classes, model.predict_maps(images[:3]))
    assert probabilities.shape == (3, 48, 48, 11)
    np.testing.assert_allclose(probabilities.sum(-1), 1, atol=1e-5)


def test_mean_iou_counts_as_keras_does():
    """The UNet's MeanIoU equals `keras.metrics.MeanIoU` (weights, ids out of range) and
    its update is whole-tensor ops (Keras' torch scatter loops over pixels). Cost: < 1 s."""
    rng = np.random.default_rng(0)
    truth, scores = rng.integers(0, 5, (3, 8, 8)), rng.normal(size=(3, 8, 8, 5))
    truth[0, 0, :2] = (7, -1)
    weights = rng.integers(0, 3, (3, 8, 8))
    ours, theirs = MeanIoU(5), keras.metrics.MeanIoU(5, sparse_y_pred=False)
    for metric in (ours, theirs):
        metric.update_state(truth, scores, weights)
        metric.update_state(truth[1:], scores[1:])
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(ours.total_cm), keras.ops.convert_to_numpy(theirs.total_cm)
    )
    assert float(ours.result()) == pytest.approx(float(theirs.result()))
    assert MeanIoU.from_config(ours.get_config()).get_config() == ours.get_config()
