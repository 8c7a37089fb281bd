"""Careless input, generated: every public entry point either works (with finite
results) or raises a ganzoo error (`ganzoo.errors.GanzooError`) that names the
argument; never a traceback from inside TensorFlow, JAX, torch, Keras or NumPy, and
never a silent NaN."""

import contextlib
import os

import numpy as np
import pytest
from helpers import tiny
from PIL import Image

import ganzoo
from ganzoo import metrics
from ganzoo.cli import main, parse_args
from ganzoo.data import Preprocess, image_batches
from ganzoo.errors import GanzooError
from ganzoo.zoo.recipes import load_recipe

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

pytestmark = pytest.mark.every_backend

# The quick lane runs the same 30 cases of each test on every run; a campaign runs many
# fresh ones: HYPOTHESIS_PROFILE=campaign pytest tests/test_fuzz.py.
settings.register_profile(
    "quick",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "campaign",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FUZZ = settings(settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick")))

# Values a careless caller passes anywhere: wrong types, signs, sizes, NaN.
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 6),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.text(max_size=4),
    st.lists(st.integers(-2, 4), max_size=3),
)
DTYPES = st.sampled_from([np.float32, np.float64, np.int32, np.uint8, np.bool_, np.complex64])


def arrays(max_dims=4, side=6, elements=None):
    """Arrays of any of DTYPES, 0-4 dimensions, values anywhere (NaN and inf too)."""
    return DTYPES.flatmap(
        lambda dtype: hnp.arrays(
            dtype,
            hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=side),
            elements=elements,
        )
    )


# Images near the right range, in [0, 255], or holding a NaN or an infinity.
IMAGE_VALUES = st.one_of(st.floats(-1.5, 300, width=32), st.sampled_from([np.nan, np.inf]))
IMAGES = st.one_of(
    arrays(),
    hnp.arrays(
        np.float32, hnp.array_shapes(min_dims=3, max_dims=4, max_side=20), elements=IMAGE_VALUES
    ),
    ANYTHING,
)


def works_or_refuses(call):
    """Runs `call`; a ganzoo error is a refusal, anything else raised fails the test.
    A numeric result must be finite."""
    try:
        result = call()
    except GanzooError as error:
        assert str(error) and "\n" not in str(error).strip() or len(str(error)) < 2000
        return None
    for value in result if isinstance(result, (tuple, list)) else [result]:
        if isinstance(value, (np.ndarray, float)) and np.size(value):
            assert np.all(np.isfinite(value)) or np.all(np.isposinf(value)), result
    return result


@pytest.fixture(scope="module")
def models():
    return {family: tiny(family, seed=0) for family in ("dcgan", "cgan", "pix2pix", "cyclegan")}


@FUZZ
@given(
    family=st.sampled_from(["GAN", "DCGAN", "ConditionalGAN"]),
    options=st.dictionaries(
        st.sampled_from(
            [
                "latent_dim",
                "num_classes",
                "filters",
                "discriminator_steps",
                "gradient_penalty_weight",
                "adversarial_loss",
                "seed",
                "image_shape",
            ]
        ),
        ANYTHING,
        max_size=3,
    ),
)
def test_generator_constructors(family, options):
    options = {"image_shape": (16, 16, 1), "latent_dim": 4, **options}
    if family != "GAN":
        options.setdefault("filters", 2)
    else:
        options.update(generator_units=(4,), discriminator_units=(4,))
    works_or_refuses(lambda: getattr(ganzoo, family)(**options))


@FUZZ
@given(
    family=st.sampled_from(["Pix2Pix", "CycleGAN"]),
    options=st.dictionaries(
        st.sampled_from(
            [
                "image_size",
                "input_channels",
                "output_channels",
                "generator_filters",
                "discriminator_layers",
                "pool_size",
                "l1_weight",
                "ssim_weight",
                "identity_weight",
                "norm",
                "generator",
                "seed",
            ]
        ),
        ANYTHING,
        max_size=3,
    ),
)
def test_translator_constructors(family, options):
    base = {
        "image_size": (16, 16),
        "generator": "unet_16",
        "discriminator": "pixel",
        "generator_filters": 2,
        "discriminator_filters": 2,
    }
    if family == "CycleGAN":
        base["generator"] = "resnet_1blocks"
        options.pop("l1_weight", None), options.pop("ssim_weight", None)
    else:
        options.pop("pool_size", None), options.pop("identity_weight", None)
    works_or_refuses(lambda: getattr(ganzoo, family)(**{**base, **options}))


@FUZZ
@given(
    num=ANYTHING,
    labels=st.one_of(ANYTHING, arrays(max_dims=2)),
    seed=ANYTHING,
    batch_size=ANYTHING,
    family=st.sampled_from(["dcgan", "cgan"]),
)
def test_generate(models, num, labels, seed, batch_size, family):
    model = models[family]
    result = works_or_refuses(lambda: model.generate(num, labels, seed, batch_size))
    if result is not None:
        assert result.shape == (num, *model.image_shape) and np.abs(result).max(initial=0) <= 1


@FUZZ
@given(
    x=st.one_of(IMAGES, st.builds(lambda: None)),
    y=st.one_of(ANYTHING, arrays(max_dims=2), IMAGES),
    call=st.sampled_from(["train_on_batch", "test_on_batch"]),
    family=st.sampled_from(["dcgan", "cgan", "pix2pix", "cyclegan"]),
)
def test_batch_calls(models, x, y, call, family):
    """Keras' one-batch entry points refuse what does not fit the model in one line."""
    model = models[family]
    if not model.compiled:
        model.compile()
    works_or_refuses(lambda: getattr(model, call)(x, y, return_dict=True))


@FUZZ
@given(
    images=IMAGES,
    batch_size=ANYTHING,
    direction=st.sampled_from(["AtoB", "BtoA", "x"]),
    family=st.sampled_from(["pix2pix", "cyclegan"]),
)
def test_translate(models, images, batch_size, direction, family):
    model = models[family]
    options = {"direction": direction} if family == "cyclegan" else {}
    result = works_or_refuses(lambda: model.translate(images, batch_size=batch_size, **options))
    if result is not None:
        assert np.abs(result).max(initial=0) <= 1


@pytest.mark.one_backend
@FUZZ
@given(
    a=arrays(max_dims=3),
    b=arrays(max_dims=3),
    metric=st.sampled_from(["frechet_distance", "kernel_distance", "precision_recall"]),
)
def test_feature_distances(a, b, metric):
    def distance():
        result = getattr(metrics, metric)(a, b)
        # KID's standard error is NaN, as documented, when the sets make a single block.
        return result[:1] if metric == "kernel_distance" else result

    with np.errstate(all="ignore"), contextlib.suppress(UserWarning):
        works_or_refuses(distance)


@pytest.mark.one_backend
@FUZZ
@given(a=IMAGES, b=IMAGES, metric=st.sampled_from(["psnr", "ssim", "mean_absolute_error"]))
def test_image_quality(a, b, metric):
    works_or_refuses(lambda: getattr(metrics, metric)(a, b))


@pytest.mark.one_backend
@FUZZ
@given(
    images=IMAGES,
    labels=st.one_of(st.none(), arrays(max_dims=2)),
    batch_size=ANYTHING,
    seed=ANYTHING,
)
def test_image_batches(images, labels, batch_size, seed):
    works_or_refuses(lambda: image_batches(images, labels, batch_size, seed=seed))


@pytest.mark.one_backend
@FUZZ
@given(
    overrides=st.dictionaries(
        st.sampled_from(
            [
                "train.epochs",
                "train.learning_rate",
                "train.steps_per_epoch",
                "train.decay_epochs",
                "train.checkpoint_every_steps",
                "model.filters",
                "model.latent_dim",
                "data.batch_size",
                "eval.better_by",
                "eval.num_samples",
                "train.lr",
                "modle.filters",
                "train",
            ]
        ),
        ANYTHING,
        max_size=3,
    )
)
def test_load_recipe(overrides):
    works_or_refuses(lambda: load_recipe("dcgan_mnist5k", overrides))


@pytest.mark.one_backend
@FUZZ
@given(
    argv=st.lists(
        st.sampled_from(
            [
                "train",
                "sample",
                "eval",
                "export",
                "translate",
                "list",
                "dcgan_mnist5k",
                "--n",
                "0",
                "-1",
                "3",
                "x",
                "--epochs",
                "--seed",
                "--out",
                "--version",
                "--set",
                "a=b",
                "--json",
            ]
        ),
        max_size=5,
    )
)
def test_command_line_arguments(argv, capsys):
    """argparse refuses with its one-line usage error (exit status 2), or parses."""
    try:
        parse_args(argv)
    except SystemExit as exit:
        assert exit.code in (0, 2)
    capsys.readouterr()


@pytest.mark.one_backend
@FUZZ
@given(
    args=st.lists(
        st.sampled_from(
            [
                ("--n", "0"),
                ("--n", "3"),
                ("--n", "1000000000"),
                ("--n", "-1"),
                ("--truncation", "1e-300"),
                ("--truncation", "0"),
                ("--truncation", "nan"),
                ("--truncation", "0.5"),
                ("--labels", "a"),
                ("--labels", "3"),
                ("--labels", "-1"),
                ("--labels", "0,1,99"),
                ("--out", "out/"),
                ("--out", "x.jpg"),
                ("--out", "/proc/nowhere/x.png"),
                ("--interpolate", "3"),
                ("--seed", "7"),
            ]
        ),
        max_size=3,
    ),
    model=st.sampled_from(["dcgan_mnist5k", "cgan_mnist5k", "pix2pix_fonts", "no_such_model"]),
)
def test_sample_command(args, model, tmp_path_factory, capsys):
    """`ganzoo sample` with counts, thresholds, labels and paths a user mistypes: it
    writes the grid (exit 0) or says why not in one line (2); never a traceback."""
    folder = tmp_path_factory.mktemp("sample")
    argv = ["sample", model, *(item for pair in args for item in pair)]
    if "--out" not in argv:
        argv += ["--out", str(folder / "grid.png")]
    try:
        status = main(argv)
    except SystemExit as exit:  # argparse's one-line usage error
        status = exit.code
    error = capsys.readouterr().err
    assert status in (0, 2) and "Traceback" not in error, (argv, error)
    if status == 2:
        assert error.strip().splitlines()[-1].startswith(("ganzoo: error", "ganzoo sample: error"))


@pytest.mark.one_backend
@FUZZ
@given(handle=st.one_of(st.text(alphabet="abcdgnz_./-0123456789 ", max_size=16), ANYTHING))
def test_preset_handles(handle, tmp_path_factory):
    """A preset handle is a shipped name, a folder or a URL (hub handles need the
    network, which these tests leave alone)."""
    cache = tmp_path_factory.mktemp("cache")
    works_or_refuses(lambda: ganzoo.from_preset(handle, cache_dir=cache))


@pytest.mark.one_backend
@FUZZ
@given(
    options=st.dictionaries(
        st.sampled_from(["mode", "load_size", "crop_size", "flip"]), ANYTHING, max_size=3
    )
)
def test_preprocess(options):
    works_or_refuses(lambda: Preprocess(**options))


@pytest.mark.one_backend
@FUZZ
@given(
    loader=st.sampled_from(["image_folder", "paired_folder", "unpaired_folder"]),
    folder=st.sampled_from(["images", "pairs", "missing", "empty", "bad"]),
    batch_size=ANYTHING,
    channels=ANYTHING,
)
def test_folder_loaders(loader, folder, batch_size, channels, image_folders):
    """Folders of good images, a missing folder, an empty one, and one with a file that
    is not an image, read with careless options."""
    options = {"batch_size": batch_size}
    if loader == "image_folder":
        options["channels"] = channels
    else:
        options["preprocess"] = Preprocess("resize_and_crop", load_size=10, crop_size=8)
    args = (image_folders / folder,) + (("train",) if loader == "unpaired_folder" else ())
    works_or_refuses(lambda: getattr(ganzoo.data, loader)(*args, **options))


@pytest.fixture(scope="module")
def image_folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("folders")
    rng = np.random.default_rng(0)
    for folder in ("images", "pairs", "pairs/trainA", "pairs/trainB", "empty", "bad"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i in range(3):
        pixels = rng.integers(0, 256, (8, 16, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(root / "images" / f"{i}.png")
        Image.fromarray(pixels).save(root / "pairs" / f"{i}.png")
        Image.fromarray(pixels[:, :8]).save(root / "pairs" / "trainA" / f"{i}.png")
        Image.fromarray(pixels[:, 8:]).save(root / "pairs" / "trainB" / f"{i}.png")
    (root / "bad" / "broken.png").write_bytes(b"not an image")
    return root


@FUZZ
@given(real=IMAGES, num_samples=ANYTHING, block_size=ANYTHING, k=ANYTHING)
def test_sample_scores(models, real, num_samples, block_size, k):
    features = metrics.digit_features("logits")
    works_or_refuses(
        lambda: list(
            v
            for v in metrics.sample_scores(
                models["cgan"], real, features, num_samples, features, k, block_size
            ).values()
            if isinstance(v, float)
        )
    )


@FUZZ
@given(a=IMAGES, b=IMAGES, family=st.sampled_from(["pix2pix", "cyclegan"]))
def test_translation_scores(models, a, b, family):
    score = metrics.translation_scores if family == "pix2pix" else metrics.cycle_scores
    works_or_refuses(
        lambda: [v for v in score(models[family], a, b).values() if isinstance(v, float)]
    )
