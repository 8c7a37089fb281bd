"""Latent tools: draws, truncation, interpolation (endpoints, norms), arithmetic, and
`ganzoo sample --interpolate`."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import BACKENDS
from PIL import Image

import ganzoo
from ganzoo.cli import main
from ganzoo.latents import draw_latents, interpolate, interpolation_latents, latent_arithmetic
from ganzoo.models import from_preset

pytestmark = pytest.mark.one_backend


def test_draws_are_seeded_and_truncation_keeps_every_entry_within_its_threshold():
    latents = draw_latents(500, 16, seed=3)
    np.testing.assert_array_equal(latents, draw_latents(500, 16, seed=3))
    assert np.abs(latents).max() > 2.5  # the Gaussian's tails
    truncated = draw_latents(500, 16, seed=3, truncation=0.5)
    assert np.abs(truncated).max() <= 0.5 and truncated.std() > 0.2
    with pytest.raises(ValueError, match="truncation must be more than 0. Received: 0"):
        draw_latents(2, 4, truncation=0)


def test_truncated_draws_follow_the_truncated_normal_at_any_threshold():
    """BigGAN's rule (redraw beyond the threshold) gives N(0, 1) truncated to [-t, t]:
    its standard deviation at t = 1 is 0.5376, at t = 2 0.8796; one pass draws it, so a
    threshold of 1e-300 (which the redrawing loop never passed) answers at once."""
    for threshold, std in ((1.0, 0.5376), (2.0, 0.8796)):
        latents = draw_latents(20_000, 10, seed=0, truncation=threshold)
        assert np.abs(latents).max() <= threshold
        assert abs(latents.std() - std) < 0.005 and abs(latents.mean()) < 0.005
    tiny = draw_latents(4, 100, seed=0, truncation=1e-300)
    assert tiny.shape == (4, 100) and np.abs(tiny).max() <= 1e-300
    with pytest.raises(ValueError, match="latents of 100 floats take .* GiB, more than"):
        draw_latents(10**12, 100)


def test_interpolation_ends_at_its_endpoints_and_slerp_keeps_the_norm():
    start, end = draw_latents(2, 64, seed=0)
    end *= np.linalg.norm(start) / np.linalg.norm(end)  # equal norms
    for method in ("slerp", "lerp"):
        path = interpolate(start, end, 9, method)
        assert path.shape == (9, 64)
        np.testing.assert_array_equal(path[0], start)
        np.testing.assert_array_equal(path[-1], end)
    norms = np.linalg.norm(interpolate(start, end, 9, "slerp"), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(start), rtol=1e-5)
    assert np.linalg.norm(interpolate(start, end, 9, "lerp")[4]) < 0.8 * norms[0]
    np.testing.assert_allclose(interpolate(start, start, 3), [start] * 3)  # parallel: no NaN
    with pytest.raises(ValueError, match="method must be one of .*'cubic'"):
        interpolate(start, end, 3, "cubic")
    with pytest.raises(ValueError, match=r"same shape. Received \(64,\) and \(3,\)"):
        interpolate(start, end[:3], 3)


def test_interpolation_endpoints_give_the_endpoints_samples():
    model = ganzoo.ConditionalGAN(latent_dim=8, filters=4, seed=0)
    latents = interpolation_latents(2, 5, 8, seed=1)
    labels = np.array([3] * 5 + [7] * 5)
    images = model.generate_from_latents(latents, labels)
    ends = draw_latents(4, 8, seed=1)
    endpoints = model.generate_from_latents(ends[[0, 2, 1, 3]], [3, 3, 7, 7])
    np.testing.assert_allclose(images[[0, 4, 5, 9]], endpoints, atol=1e-6)
    drawn = model.generate_from_latents(ends, [3, 3, 7, 7])
    np.testing.assert_allclose(model.generate(4, labels=[3, 3, 7, 7], seed=1), drawn, atol=1e-6)
    blend = interpolate(np.eye(10)[3], np.eye(10)[7], 5, "lerp")  # labels interpolate too
    assert model.generate_from_latents(np.repeat(ends[:1], 5, 0), blend).shape == (5, 28, 28, 1)
    with pytest.raises(ValueError, match=r"label vectors must be \(n=5, num_classes=10\)"):
        model.generate_from_latents(latents[:5], blend[:, :4])
    with pytest.raises(ValueError, match=r"latents must be \(n, latent_dim=8\). Received shape"):
        model.generate_from_latents(latents[:, :4], labels)


def test_latent_arithmetic_is_the_sum_of_group_means():
    a, b, c = (draw_latents(3, 4, seed=s) for s in (0, 1, 2))
    np.testing.assert_allclose(latent_arithmetic([a, c], [b]), a.mean(0) - b.mean(0) + c.mean(0),
                               rtol=1e-6)  # fmt: skip
    with pytest.raises(ValueError, match="same latent_dim"):
        latent_arithmetic([a], [draw_latents(3, 5)])


def arithmetic_image():
    """The dcgan_mnist5k preset's image of a latent made by arithmetic on fixed latents."""
    latents = draw_latents(9, 100, seed=0)
    z = latent_arithmetic([latents[:3], latents[6:]], [latents[3:6]])
    return from_preset("dcgan_mnist5k").generate_from_latents(z[None])[0]


@pytest.mark.one_backend  # runs every backend itself
@pytest.mark.slow  # ~15 s: three backends in subprocesses
def test_arithmetic_on_fixed_latents_gives_the_same_image_on_every_backend():
    tests = os.path.dirname(__file__)
    script = (
        "import json; from test_latents import arithmetic_image; "
        "print(json.dumps(arithmetic_image().tolist()))"
    )
    images = {}
    for backend in BACKENDS:
        out = subprocess.run([sys.executable, "-c", script], cwd=tests, capture_output=True,
                             text=True, env={**os.environ, "KERAS_BACKEND": backend,
                                             "PYTHONPATH": tests})  # fmt: skip
        assert out.returncode == 0, out.stderr[-2000:]
        images[backend] = np.array(json.loads(out.stdout.strip().splitlines()[-1]))
    assert images["tensorflow"].std() > 0.1
    for backend in BACKENDS[1:]:
        np.testing.assert_allclose(images[backend], images["tensorflow"], atol=1e-4)


def test_sample_interpolate_writes_a_grid_of_rows_by_steps(tmp_path, capsys):
    out = tmp_path / "walk.png"
    args = ["sample", "cgan_mnist5k", "--interpolate", "6", "--n", "3", "--labels", "1,5,9"]
    assert main([*args, "--out", str(out), "--truncation", "1.5"]) == 0
    assert Image.open(out).size == (2 * (6 * 29 - 1), 2 * (3 * 29 - 1))  # 28 px tiles, 1 px gaps
    assert np.asarray(Image.open(out)).std() > 10
    with pytest.raises(SystemExit):
        main(["sample", "dcgan_mnist5k", "--interpolate", "1"])
    assert "--interpolate: must be at least 2; received 1" in capsys.readouterr().err
