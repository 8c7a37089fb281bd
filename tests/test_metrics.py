"""Metrics: distances against direct computations, their statistics, and model scores."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import scipy.linalg
from helpers import BACKENDS, random_images, tiny

import ganzoo
from ganzoo.callbacks import Evaluate
from ganzoo.data import load_mnist5k
from ganzoo.metrics import (
    cycle_scores,
    digit_features,
    frechet_distance,
    inception_features,
    kernel_distance,
    precision_recall,
    psnr,
    reference_digits,
    sample_scores,
    ssim,
    translation_scores,
)

pytestmark = pytest.mark.every_backend


def gaussian(num, mean, scale, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(mean, scale, (num, len(scale)))


# -- Frechet distance -------------------------------------------------------------------


def test_frechet_distance_matches_scipy_and_closed_form():
    a = gaussian(4000, [0, 0, 0, 0], [1, 2, 0.5, 1], seed=0)
    b = gaussian(4000, [1, 0, -1, 0], [2, 1, 0.5, 3], seed=1)
    mixed = b @ np.array([[1, 0.5, 0, 0], [0, 1, 0, 0], [0, 0.3, 1, 0], [0, 0, 0, 1]])
    for other in (b, mixed):
        covariance_a, covariance_b = np.cov(a, rowvar=False), np.cov(other, rowvar=False)
        direct = (
            ((a.mean(0) - other.mean(0)) ** 2).sum()
            + np.trace(covariance_a + covariance_b)
            - 2 * np.trace(scipy.linalg.sqrtm(covariance_a @ covariance_b).real)
        )
        assert frechet_distance(a, other) == pytest.approx(direct, rel=1e-8)
    # Diagonal Gaussians: |mu_a - mu_b|^2 + sum (sigma_a - sigma_b)^2 = 2 + (1 + 1 + 0 + 4).
    assert frechet_distance(a, b) == pytest.approx(2 + 6, rel=0.05)
    assert abs(frechet_distance(a, a)) < 1e-8


def test_frechet_distance_warns_with_fewer_samples_than_dimensions():
    with pytest.warns(UserWarning, match="covariance is singular"):
        frechet_distance(gaussian(8, [0] * 10, [1] * 10, 0), gaussian(8, [0] * 10, [1] * 10, 1))
    with pytest.raises(ValueError, match="one dim"):
        frechet_distance(np.zeros((10, 3)), np.zeros((10, 4)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        frechet_distance(np.zeros((1, 3)), np.zeros((10, 3)))


# -- KID --------------------------------------------------------------------------------


def test_kid_is_unbiased_and_its_error_is_right():
    """Over 300 pairs of independent sets from one distribution the mean KID is 0
    within its standard error, and the reported error matches the spread of the
    estimates across pairs."""
    estimates, errors = [], []
    for trial in range(300):
        a = gaussian(200, [0] * 8, [1] * 8, seed=2 * trial)
        b = gaussian(200, [0] * 8, [1] * 8, seed=2 * trial + 1)
        kid, error = kernel_distance(a, b, block_size=50)  # 4 blocks
        estimates.append(kid)
        errors.append(error)
    spread = np.std(estimates, ddof=1)
    assert abs(np.mean(estimates)) < 4 * spread / np.sqrt(len(estimates))
    # The error from 4 blocks is noisy per call; its root mean square is unbiased.
    assert 0.75 < np.sqrt(np.mean(np.square(errors))) / spread < 1.3
    shifted = kernel_distance(
        gaussian(200, [0.5] * 8, [1] * 8, 0), gaussian(200, [0] * 8, [1] * 8, 1), block_size=50
    )
    assert shifted[0] > 10 * spread
    single = kernel_distance(gaussian(30, [0], [1], 0), gaussian(30, [0], [1], 1))
    assert single[1] is None  # one block: no spread to estimate


def test_sample_scores_say_why_a_kid_error_is_missing():
    model = tiny("dcgan", image_shape=(28, 28, 1))
    real = random_images(30, (28, 28, 1))
    scores = sample_scores(model, real, digit_features(), num_samples=20, block_size=100)
    assert scores["kid_error"].startswith("not computed: 20 generated and 30 real")
    assert "at least 200" in scores["kid_error"]


# -- precision and recall ---------------------------------------------------------------


def test_precision_recall_see_quality_and_coverage():
    real = gaussian(1000, [0, 0], [1, 1], seed=0)
    same = gaussian(1000, [0, 0], [1, 1], seed=1)
    precision, recall = precision_recall(real, same)
    assert precision > 0.9 and recall > 0.9
    half = same[same[:, 0] > 0]  # mode dropping: only half of the support
    precision, recall = precision_recall(real, half)
    assert precision > 0.9 and 0.4 < recall < 0.65
    far = gaussian(1000, [20, 20], [1, 1], seed=2)
    assert precision_recall(real, far) == (0.0, 0.0)


# -- PSNR and SSIM ----------------------------------------------------------------------


def test_psnr_and_ssim_match_scikit_image():
    metrics = pytest.importorskip("skimage.metrics")
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (3, 24, 28, 3))
    b = np.clip(a + rng.normal(0, 0.2, a.shape), -1, 1)
    reference = [
        metrics.structural_similarity(
            x,
            y,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=2,
            channel_axis=-1,
        )
        for x, y in zip(a, b, strict=True)
    ]
    assert ssim(a, b) == pytest.approx(np.mean(reference), abs=1e-10)
    expected = np.mean(
        [metrics.peak_signal_noise_ratio(x, y, data_range=2) for x, y in zip(a, b, strict=True)]
    )
    assert psnr(a, b) == pytest.approx(expected, abs=1e-10)
    assert ssim(a, a) == pytest.approx(1.0) and psnr(a, a) == np.inf
    with pytest.raises(ValueError, match="one shape"):
        ssim(a, b[:, :20])


# -- features ---------------------------------------------------------------------------


def digit_reference_scores(count=1000):
    """FD on the digit logits: real test digits vs train, blurred and shuffled digits."""
    digits = reference_digits(count)
    features = digit_features("logits")
    real = features(digits.pop("test"))
    return {name: frechet_distance(real, features(images)) for name, images in digits.items()}


def test_digit_features_rank_real_far_above_degraded():
    scores = digit_reference_scores(500)
    assert scores["train"] * 5 < scores["blurred"] < scores["pixel-shuffled"]


def test_feature_range_errors():
    features = digit_features("penultimate")
    images, _ = load_mnist5k("test")
    assert features(images[:10]).shape == (10, 1024)
    as_uint8 = (images[:10] + 1) * 127.5
    with pytest.raises(
        ValueError, match=r"outside the declared value_range.*value_range=\(0, 255\)"
    ):
        features(as_uint8)
    np.testing.assert_allclose(
        features(as_uint8, value_range=(0, 255)), features(images[:10]), atol=1e-4
    )
    with pytest.warns(UserWarning, match="no negative value"):
        features((images[:10] + 1) / 2)
    with pytest.raises(ValueError, match="layer must be"):
        digit_features("pool")


@pytest.mark.skipif(
    keras.backend.backend() == "jax", reason="XLA compiles InceptionV3 for 30 s on this CPU"
)
def test_inception_features_shape_and_resize():
    features = inception_features(weights=None)
    assert features(random_images(2, (32, 32, 1))).shape == (2, 2048)
    assert features.resize == "bilinear to 299x299, 3 channel(s)"


@pytest.mark.one_backend  # runs every backend itself
@pytest.mark.slow  # ~15 s: three backends in subprocesses
def test_scores_are_the_same_on_every_backend():
    """The digit logits FD of 300 test digits against 300 train digits, computed in a
    subprocess per backend, agrees within 1e-4 (relative)."""
    script = (
        "import json; from test_metrics import digit_reference_scores; "
        "print(json.dumps(digit_reference_scores(300)))"
    )
    tests = os.path.dirname(__file__)
    results = {}
    for backend in BACKENDS:
        out = subprocess.run(
            [sys.executable, "-c", script],
            cwd=tests,
            capture_output=True,
            text=True,
            env={**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": tests},
        )
        assert out.returncode == 0, out.stderr[-2000:]
        results[backend] = json.loads(out.stdout.strip().splitlines()[-1])
    for backend in BACKENDS[1:]:
        for name, value in results["tensorflow"].items():
            assert results[backend][name] == pytest.approx(value, rel=1e-4), (backend, name)


# -- model scores and the callback ------------------------------------------------------


def test_sample_scores_and_callback_on_a_conditional_gan():
    images, labels = load_mnist5k("test")
    model = ganzoo.ConditionalGAN(latent_dim=8, filters=4, seed=0)
    features = digit_features("logits")

    def evaluate(m):
        return sample_scores(
            m, images[:200], features, num_samples=200, classifier=features, block_size=100
        )

    scores = evaluate(model)
    assert scores["features"] == "digit_classifier logits" and scores["num_generated"] == 200
    assert 0 <= scores["label_accuracy"] <= 1 and scores["kid_error"] > 0
    assert set(scores) >= {"frechet_distance", "kid", "precision", "recall", "resize"}
    model.compile()
    dataset = ganzoo.data.image_batches(images[:64], labels[:64], batch_size=32)
    history = model.fit(dataset, epochs=3, verbose=0, callbacks=[Evaluate(evaluate, every=2)])
    logged = history.history["eval_frechet_distance"]
    assert len(logged) == 2 and np.all(np.isfinite(logged))  # epochs 2 and 3 (the last)
    assert "eval_features" not in history.history
    assert not {"eval_seed", "eval_num_generated", "eval_num_real"} & set(history.history)


def test_translation_and_cycle_scores():
    pix2pix = tiny("pix2pix")
    a, b = random_images(4, (64, 64, 1)), random_images(4, (64, 64, 3), seed=1)
    scores = translation_scores(pix2pix, a, b)
    assert scores["num_images"] == 4 and 0 < scores["l1"] < 2 and np.isfinite(scores["psnr"])
    cyclegan = tiny("cyclegan", image_size=(28, 28), input_channels=1, output_channels=1)
    digits, labels = load_mnist5k("test")
    classifier = digit_features("logits")
    scores = cycle_scores(cyclegan, digits[:8], digits[8:16], classifier, labels[:8])
    assert {"a_cycle_l1", "a_cycle_psnr", "a_cycle_ssim", "b_cycle_ssim"} <= set(scores)
    assert 0 <= scores["label_preservation"] <= 1


def test_the_real_data_floor_draws_real_digits_of_the_asked_classes():
    from ganzoo.metrics.held_out import RealDigits, real_data_scores

    real = RealDigits("train", num_classes=10)
    labels = np.arange(30) % 10
    drawn = real.generate(30, labels=labels, seed=0)
    train, train_labels = load_mnist5k("train")
    rows = {row.tobytes(): label for row, label in zip(train, train_labels, strict=True)}
    assert [rows[row.tobytes()] for row in drawn] == labels.tolist()  # real, of each class
    assert len({row.tobytes() for row in drawn}) == 30  # without repeats
    floor = real_data_scores(ganzoo.ConditionalGAN(latent_dim=8, filters=4), num_samples=400)
    assert floor["frechet_distance"] < 3 and floor["label_accuracy"] > 0.95
    validation = real_data_scores(ganzoo.DCGAN(latent_dim=8, filters=4), split="validation")
    assert validation["data"] == "mnist5k (validation split)"
    with pytest.raises(ValueError, match="for generators; a Pix2Pix is a translator"):
        real_data_scores(tiny("pix2pix"))
    with pytest.raises(ValueError, match="split must be 'test' or 'validation'.*'train'"):
        real_data_scores(ganzoo.DCGAN(latent_dim=8, filters=4), split="train")


@pytest.mark.one_backend
def test_improvement_over_a_score_of_zero_is_infinite_or_none():
    """An untrained CycleGAN may preserve no label at all (seen on torch, 16 examples):
    the claim's ratio must not divide by zero. Cost: < 1 s."""
    from ganzoo.metrics.held_out import improvement

    assert improvement("label_preservation", 0.25, 0.0) == float("inf")
    assert improvement("label_preservation", 0.0, 0.0) == 1.0
    assert improvement("label_preservation", 0.5, 0.25) == 2.0
    assert improvement("a_cycle_l1", 0.0, 0.5) == float("inf")
    assert improvement("a_cycle_l1", 0.25, 0.5) == 2.0
