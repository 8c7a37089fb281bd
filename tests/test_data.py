"""Data: offline data sets, folders of images, tfds sources, preprocessing, pipelines."""

import tarfile

import numpy as np
import pytest
import tensorflow as tf
from helpers import tiny
from PIL import Image

import ganzoo
from ganzoo.data import (
    Preprocess,
    image_batches,
    image_folder,
    load_font_pairs,
    load_mnist5k,
    load_photo_pairs,
    load_typeset_digits,
    paired_batches,
    paired_folder,
    tfds_images,
    tfds_unpaired,
    unpaired_batches,
    unpaired_folder,
)
from ganzoo.data.folders import decode
from ganzoo.data.image_files import read_image
from ganzoo.data.sources import download_pix2pix
from ganzoo.errors import GanzooError

pytestmark = pytest.mark.one_backend


def write(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, np.uint8).squeeze()).save(path)
    return path


def coordinate_image(height, width, offset=0):
    """uint8 RGB image whose pixel (i, j) is (i, j, offset): its position is readable."""
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    return np.stack([rows, cols, np.full_like(rows, offset)], -1)


def as_uint8(images):
    return np.round((np.asarray(images) + 1) * 127.5).astype(int)


def take(dataset, batches=None):
    return [tf.nest.map_structure(np.asarray, b) for b in dataset.take(batches or -1)]


@pytest.fixture
def side_by_side(tmp_path):
    """Six A | B files where B = 255 - A, so alignment is checkable to the pixel."""
    rng = np.random.default_rng(0)
    for i in range(6):
        a = rng.integers(0, 256, (40, 40, 3))
        write(tmp_path / "ab" / f"{i}.png", np.concatenate([a, 255 - a], 1))
        write(tmp_path / "pairs" / "A" / f"{i}.png", a)
        write(tmp_path / "pairs" / "B" / f"{i}.png", 255 - a)
    return tmp_path


# -- preprocessing ----------------------------------------------------------------------


def test_paired_crop_and_flip_keep_a_and_b_aligned(tmp_path):
    """A holds its pixel coordinates, B = 255 - A: every output must be one crop (maybe
    mirrored) of A, and B exactly its complement; crops and flips must vary."""
    for i in range(4):
        a = coordinate_image(24, 24, offset=i)
        write(tmp_path / f"{i}.png", np.concatenate([a, 255 - a], 1))
    dataset = paired_folder(tmp_path, preprocess=Preprocess("crop", crop_size=16), batch_size=4)
    offsets, flips = set(), set()
    for _ in range(8):
        for a, b in take(dataset):
            np.testing.assert_array_equal(as_uint8(a), 255 - as_uint8(b))
            for crop in as_uint8(a):
                rows, cols = crop[..., 0], crop[..., 1]
                flipped = cols[0, 0] > cols[0, -1]
                step = -1 if flipped else 1
                top, left = rows[0, 0], cols[0, 0] if not flipped else cols[0, -1]
                expected = coordinate_image(24, 24)[top : top + 16, left : left + 16, :2]
                np.testing.assert_array_equal(crop[:, ::step, :2], expected)
                offsets.add((top, left))
                flips.add(flipped)
    assert flips == {True, False} and len(offsets) > 10


def test_resize_and_crop_aligned_and_in_range(side_by_side):
    dataset = paired_folder(
        side_by_side / "ab", preprocess=Preprocess(load_size=48, crop_size=32), batch_size=3
    )
    for a, b in take(dataset):
        assert a.shape == b.shape == (3, 32, 32, 3) and a.dtype == np.float32
        np.testing.assert_allclose(a, -b, atol=1e-5)
        assert a.min() >= -1 and a.max() <= 1


@pytest.mark.parametrize(
    ("mode", "size", "expected"),
    [
        ("resize_and_crop", (40, 60), (32, 32)),
        ("crop", (40, 60), (32, 32)),
        ("scale_width", (40, 60), (32, 48)),
        ("scale_width_and_crop", (40, 60), (32, 32)),
        ("none", (43, 61), (44, 60)),
    ],
)
def test_preprocess_modes_sizes(mode, size, expected):
    preprocess = Preprocess(mode, load_size=48, crop_size=32)
    assert preprocess.output_size(*size) == expected
    image = tf.zeros((*size, 3))
    assert tuple(preprocess(image, tf.constant([1, 2])).shape[:2]) == expected


def test_evaluation_preprocessing_is_centred_and_unflipped():
    image = tf.constant(coordinate_image(20, 20), tf.float32)
    crop = Preprocess("crop", crop_size=10)(image, tf.constant([3, 4]), training=False)
    np.testing.assert_array_equal(crop, coordinate_image(20, 20)[5:15, 5:15])


def test_preprocess_errors():
    with pytest.raises(ValueError, match="Unknown preprocess mode 'resize'"):
        Preprocess("resize")
    with pytest.raises(ValueError, match="load_size=200 is smaller than crop_size=256"):
        Preprocess(load_size=200)
    with pytest.raises(ValueError, match="smaller than crop_size=256"):
        Preprocess("crop").output_size(100, 300)


# -- pipelines --------------------------------------------------------------------------


def test_seeded_pipelines_are_deterministic_and_reshuffle(side_by_side):
    def make(seed):
        return paired_folder(
            side_by_side / "ab",
            preprocess=Preprocess(load_size=44, crop_size=32),
            batch_size=2,
            seed=seed,
        )

    first, again, other = make(1), make(1), make(2)
    epoch_1, epoch_2 = take(first), take(first)
    for (a1, _), (a2, _) in zip(epoch_1, take(again), strict=True):
        np.testing.assert_array_equal(a1, a2)
    assert not np.array_equal(epoch_1[0][0], epoch_2[0][0])  # new order / crops per epoch
    assert not np.array_equal(epoch_1[0][0], take(other)[0][0])


@pytest.mark.parametrize("cache", [False, True])
def test_both_paired_layouts_give_the_same_batches(side_by_side, cache):
    kwargs = {
        "preprocess": Preprocess(load_size=44, crop_size=32),
        "batch_size": 2,
        "seed": 5,
        "cache": cache,
    }
    from_files = take(paired_folder(side_by_side / "ab", **kwargs))
    from_folders = take(paired_folder(side_by_side / "pairs", **kwargs))
    assert len(from_files) == 3
    for (a1, b1), (a2, b2) in zip(from_files, from_folders, strict=True):
        np.testing.assert_array_equal(a1, a2)
        np.testing.assert_array_equal(b1, b2)


def test_array_pipelines():
    images, labels = load_mnist5k("test")
    first = [b[1] for b in take(image_batches(images, labels, 64, seed=3))]
    again = [b[1] for b in take(image_batches(images, labels, 64, seed=3))]
    assert len(first) == 1000 // 64 and all(len(b) == 64 for b in first)
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(again))
    with pytest.raises(ValueError, match="larger than the 1000 images"):
        image_batches(images, batch_size=2000)

    flipped = Preprocess("crop", crop_size=28, flip=True)
    for a, b in take(paired_batches(images[:8], -images[:8], flipped, batch_size=4)):
        np.testing.assert_array_equal(a, -b)

    unpaired = take(unpaired_batches(images[:6], images[6:9], batch_size=2))
    assert len(unpaired) == 3 and unpaired[0]["A"].shape == (2, 28, 28, 1)


# -- folders ----------------------------------------------------------------------------


def test_gray_and_rgb_jpeg_and_png(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(3):
        write(tmp_path / "trainA" / f"{i}.png", rng.integers(0, 256, (36, 36)))
        write(tmp_path / "trainB" / f"{i}.jpg", rng.integers(0, 256, (36 + i, 40, 3)))
    write(tmp_path / "trainB" / "3.JPEG", rng.integers(0, 256, (36, 36, 3)))
    (tmp_path / "trainB" / "notes.txt").write_text("not an image")
    preprocess = Preprocess(load_size=36, crop_size=32)
    dataset = unpaired_folder(tmp_path, preprocess=preprocess, batch_size=2)
    batches = take(dataset)
    assert len(batches) == 2  # max(3, 4) // 2
    assert batches[0]["A"].shape == (2, 32, 32, 1) and batches[0]["B"].shape == (2, 32, 32, 3)
    as_rgb = take(unpaired_folder(tmp_path, preprocess=preprocess, channels=3, batch_size=2))
    assert as_rgb[0]["A"].shape[-1] == 3

    gray = rng.integers(0, 256, (32, 32))
    write(tmp_path / "colour" / "A" / "x.png", np.stack([gray] * 3, -1))
    write(tmp_path / "colour" / "B" / "x.png", np.stack([gray] * 3, -1))
    ((a, b),) = take(
        paired_folder(
            tmp_path / "colour", preprocess=Preprocess("none", flip=False), channels=(1, 3)
        )
    )
    assert a.shape == (1, 32, 32, 1) and b.shape == (1, 32, 32, 3)
    np.testing.assert_array_equal(as_uint8(a)[0, ..., 0], gray)


def test_the_pillow_reader_decodes_as_tensorflow_does(tmp_path):
    """`read_image` (what `ganzoo translate` reads files with, TensorFlow or not) gives
    the pixels of the folder pipelines' TensorFlow decoder, as RGB and as luma, for
    every mode a user's folder holds. Cost: < 1 s."""
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (20, 24, 3), dtype=np.uint8)
    images = {
        "gray.png": Image.fromarray(rgb[..., 0]),
        "rgb.png": Image.fromarray(rgb),
        "rgba.png": Image.fromarray(np.dstack([rgb, rgb[..., :1]])),
        "gray_alpha.png": Image.fromarray(np.dstack([rgb[..., :2]])).convert("LA"),
        "palette.png": Image.fromarray(rgb).convert("P"),
        "sixteen_bit.png": Image.fromarray(rng.integers(0, 65536, (20, 24), dtype=np.uint16)),
        "photo.jpg": Image.fromarray(rgb),
        "gray.jpg": Image.fromarray(rgb[..., 1]),
        "picture.bmp": Image.fromarray(rgb),
        "frames.gif": Image.fromarray(rgb).convert("P"),
    }
    for name, image in images.items():
        image.save(tmp_path / name)
        for channels in (3, 1):
            got = read_image(tmp_path / name, channels)
            assert got.dtype == np.uint8 and got.shape == (20, 24, channels), name
            want = decode(str(tmp_path / name), channels).numpy()
            np.testing.assert_array_equal(got, want, err_msg=f"{name}, {channels} channels")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(GanzooError, match="Cannot read .*broken.png.* as an image"):
        read_image(tmp_path / "broken.png", 3)


def test_image_folder_keeps_order_and_last_batch(tmp_path):
    for i in range(5):
        write(tmp_path / f"{i}.png", np.full((12, 12, 3), 10 * i))
    dataset, paths = image_folder(tmp_path, batch_size=2)
    batches = take(dataset)
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [p.name for p in paths] == [f"{i}.png" for i in range(5)]
    np.testing.assert_array_equal(as_uint8(np.concatenate(batches))[:, 0, 0, 0], np.arange(5) * 10)


def test_folder_errors(tmp_path, side_by_side):
    with pytest.raises(FileNotFoundError, match="No image folder at .*missing.*check the path"):
        paired_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No images in .*empty.*it is empty"):
        image_folder(tmp_path / "empty")
    (tmp_path / "tiffs" / "x.tif").parent.mkdir()
    (tmp_path / "tiffs" / "x.tif").write_bytes(b"II*\0")
    with pytest.raises(ValueError, match=r"found only \['.tif'\] files"):
        image_folder(tmp_path / "tiffs")

    write(tmp_path / "bad" / "good.png", np.zeros((8, 8)))
    (tmp_path / "bad" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(ValueError, match="Cannot read .*broken.png"):
        image_folder(tmp_path / "bad")
    good = (tmp_path / "bad" / "good.png").read_bytes()
    (tmp_path / "bad" / "broken.png").write_bytes(good[: len(good) // 2])  # truncated
    with pytest.raises(ValueError, match="Cannot read .*broken.png"):
        image_folder(tmp_path / "bad")

    (side_by_side / "pairs" / "B" / "0.png").rename(side_by_side / "pairs" / "B" / "zero.png")
    with pytest.raises(ValueError, match=r"matched by file name.*\['0'\].*\['zero'\]"):
        paired_folder(side_by_side / "pairs")
    write(side_by_side / "pairs" / "B" / "0.png", np.zeros((40, 30, 3)))
    (side_by_side / "pairs" / "B" / "zero.png").unlink()
    with pytest.raises(ValueError, match=r"differ in size: .*0.png is 40x40, .*0.png is 40x30"):
        paired_folder(side_by_side / "pairs")

    with pytest.raises(ValueError, match=r"0.png: A 40x40 image .* smaller than crop_size=64"):
        paired_folder(side_by_side / "ab", preprocess=Preprocess("crop", crop_size=64))
    write(side_by_side / "ab" / "9.png", np.zeros((44, 88, 3)))
    with pytest.raises(ValueError, match="different sizes .* batch_size=1"):
        paired_folder(side_by_side / "ab", preprocess=Preprocess("none"), batch_size=2)


# -- tfds -------------------------------------------------------------------------------


def test_tfds_sources_on_mock_data():
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=12):
        images, labels = take(tfds_images("mnist", labels=True, batch_size=4))[0]
        assert images.shape == (4, 28, 28, 1) and labels.dtype == np.int32
        assert images.min() >= -1 and images.max() <= 1 and labels.max() < 10
        cifar = take(tfds_images("cifar10", "test", batch_size=4, image_size=16))[0]
        assert cifar.shape == (4, 16, 16, 3)
        assert take(tfds_images("fashion_mnist", batch_size=4))[0].shape == (4, 28, 28, 1)
        faces, smiling = take(tfds_images("celeb_a", labels="Smiling", batch_size=4))[0]
        assert faces.shape == (4, 64, 64, 3) and set(smiling) <= {0, 1}
        first = take(tfds_images("mnist", batch_size=4, seed=1))
        np.testing.assert_array_equal(first[0], take(tfds_images("mnist", batch_size=4, seed=1))[0])
        domains = take(
            tfds_unpaired(
                "cycle_gan/horse2zebra",
                preprocess=Preprocess(load_size=36, crop_size=32),
                batch_size=2,
            )
        )
        assert len(domains) == 6 and domains[0]["B"].shape == (2, 32, 32, 3)
        with pytest.raises(ValueError, match="celeb_a has no attribute 'Happy'"):
            tfds_images("celeb_a", labels="Happy")
        with pytest.raises(ValueError, match="pass labels='Male'"):
            tfds_images("celeb_a", labels=True)
    with pytest.raises(ValueError, match="Unknown tfds image source 'imagenet'"):
        tfds_images("imagenet")
    with pytest.raises(ValueError, match="Use tfds_unpaired"):
        tfds_images("cycle_gan/horse2zebra")
    with pytest.raises(ValueError, match="Unknown unpaired tfds source 'cycle_gan/cats'"):
        tfds_unpaired("cycle_gan/cats")


# -- offline data -----------------------------------------------------------------------


def test_mnist5k_splits():
    train, train_labels = load_mnist5k("train")
    test, test_labels = load_mnist5k("test")
    assert train.shape == (4000, 28, 28, 1) and test.shape == (1000, 28, 28, 1)
    assert train.dtype == np.float32 and train.min() == -1.0 and train.max() == 1.0
    assert np.bincount(test_labels).tolist() == [100] * 10
    assert np.bincount(train_labels).tolist() == [400] * 10
    train_rows = {row.tobytes() for row in train}
    assert not any(row.tobytes() in train_rows for row in test)
    with pytest.raises(ValueError, match="split must be one of .*Received: 'valid'"):
        load_mnist5k("valid")


def rows_of(images):
    return {row.tobytes() for row in images}


@pytest.mark.parametrize(
    "keys",
    [
        lambda split: rows_of(load_mnist5k(split)[0]),
        lambda split: set(load_font_pairs(split)[2]),  # characters: some glyphs look alike
        lambda split: rows_of(load_typeset_digits(split, variants=2)[0]),
    ],
    ids=["mnist5k", "font_pairs", "digits_typeset"],
)
def test_validation_is_a_part_of_train_disjoint_from_test_and_from_what_sweeps_train_on(keys):
    rows = {
        split: keys(split) for split in ("train", "test", "validation", "train_without_validation")
    }
    assert rows["validation"] and rows["validation"] < rows["train"]
    assert rows["train_without_validation"] == rows["train"] - rows["validation"]
    assert not rows["test"] & rows["train"]


def test_font_pairs_are_rendered_and_split_by_letter():
    inputs, targets, chars = load_font_pairs("train")
    test_inputs, test_targets, test_chars = load_font_pairs("test")
    assert inputs.shape == targets.shape == (len(chars), 32, 32, 1) and len(chars) > 1000
    assert len(test_chars) > 150 and inputs.dtype == np.float32
    assert inputs.min() == -1 and inputs.max() == 1  # black ink on white paper
    letters = {ganzoo.data.glyphs.base_letter(c) for c in chars}
    assert not letters & {ganzoo.data.glyphs.base_letter(c) for c in test_chars}
    assert "a" in chars and "á" in chars and "A" in chars
    assert np.abs(inputs - targets).mean() > 0.05  # two different fonts
    np.testing.assert_array_equal(load_font_pairs("test")[1], test_targets)


def test_font_pairs_source_shifts_both_glyphs_of_a_pair_alike():
    batch = ganzoo.data.sources.font_pairs_source(16, 0, (32, 32), False, shift=2)
    inputs, targets = (x.numpy() for x in next(iter(batch)))
    margin = ((0, 0), (2, 2), (2, 2), (0, 0))
    padded = [np.pad(x, margin, constant_values=1.0) for x in load_font_pairs("train")[:2]]
    offsets = set()
    for source, target in zip(inputs, targets, strict=True):
        matches = [
            (row, dy, dx)
            for dy in range(5)
            for dx in range(5)
            for row in np.flatnonzero(
                (padded[0][:, dy : dy + 32, dx : dx + 32] == source).all((1, 2, 3))
            )
            if np.array_equal(padded[1][row, dy : dy + 32, dx : dx + 32], target)
        ]
        assert matches, "a target moved apart from its input"
        offsets.add(matches[0][1:])
    assert len(offsets) > 1
    with pytest.raises(ValueError, match="shift must be at least 0"):
        ganzoo.data.sources.font_pairs_source(16, 0, (32, 32), False, shift=-1)


def test_typeset_digits_hold_out_fonts():
    images, labels = load_typeset_digits("train", variants=2)
    test_images, test_labels = load_typeset_digits("test", variants=2)
    assert images.shape == (17 * 10 * 2, 28, 28, 1) and len(test_images) == 5 * 10 * 2
    assert np.bincount(labels).tolist() == [34] * 10
    assert images.min() == -1 and images.max() == 1  # white digits on black, as MNIST
    centre = np.argwhere(images[0, ..., 0] > 0).mean(0)
    assert np.all(np.abs(centre - 13.5) < 2)
    rendered_again = load_typeset_digits.__wrapped__("test", variants=2)[0]  # not the cached
    np.testing.assert_array_equal(rendered_again, test_images)
    assert not np.array_equal(load_typeset_digits("test", variants=2, seed=1)[0], test_images)
    test_images[:] = 0  # a caller's copy: the next call renders (or copies) the digits again
    np.testing.assert_array_equal(load_typeset_digits("test", variants=2)[0], rendered_again)


def test_photo_pairs():
    inputs, targets = load_photo_pairs("train", "colorize", size=32, patches_per_photo=4)
    assert inputs.shape == (24, 32, 32, 1) and targets.shape == (24, 32, 32, 3)
    luma = targets @ np.array([0.299, 0.587, 0.114], np.float32)
    np.testing.assert_allclose(inputs[..., 0], luma, atol=1.5 / 127.5)
    test_inputs, test_targets = load_photo_pairs(
        "test", "super_resolution", size=32, patches_per_photo=4
    )
    assert test_inputs.shape == test_targets.shape == (4, 32, 32, 3)
    assert 0.005 < np.abs(test_inputs - test_targets).mean() < 0.3
    with pytest.raises(ValueError, match="Unknown task 'denoise'"):
        load_photo_pairs(task="denoise")


# -- feeding fit ------------------------------------------------------------------------


@pytest.mark.every_backend  # fit on each backend
def test_paired_folder_feeds_fit(side_by_side):
    """A folder pipeline goes straight into fit (unpaired {"A", "B"} batches are fed to
    CycleGAN in test_models)."""
    # The folder's pairs are 16 px: the smallest U-Net and the 1x1 PatchGAN take them.
    pix2pix = tiny(
        "pix2pix", image_size=(16, 16), input_channels=3, generator="unet_16", discriminator="pixel"
    )
    pix2pix.compile()
    dataset = paired_folder(
        side_by_side / "ab", preprocess=Preprocess(load_size=20, crop_size=16), batch_size=2
    )
    history = pix2pix.fit(dataset, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_l1"][-1])


def test_pix2pix_download_unpacks_and_checks_the_hash(tmp_path):
    source = tmp_path / "server" / "facades"
    (source / "train").mkdir(parents=True)
    pair = np.zeros((8, 16, 3), np.uint8)
    Image.fromarray(pair).save(source / "train" / "1.jpg")
    archive = tmp_path / "server" / "facades.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname="facades")
    url = (tmp_path / "server").as_uri() + "/{name}.tar.gz"
    digest = ganzoo.presets.sha256(archive)
    folder = download_pix2pix("facades", digest, tmp_path / "cache", url=url)
    assert (folder / "train" / "1.jpg").is_file()
    with pytest.raises(ValueError, match="orrupted|hash"):
        download_pix2pix("facades", "0" * 64, tmp_path / "cache2", url=url)
    with pytest.raises(ValueError, match="Unknown pix2pix data set 'facade'"):
        download_pix2pix("facade")


def test_array_batches_are_a_function_of_seed_and_position():
    """`ArrayBatches` (the offline sets' stream without TensorFlow): each epoch holds
    every row once in a new order (the last partial batch dropped), the stream from a
    position equals the whole stream from there (an exact resume), rows stay aligned,
    a new seed gives a new order. Cost: < 1 s."""
    from ganzoo.data.arrays import ArrayBatches

    images = np.arange(10, dtype="float32").reshape(10, 1, 1, 1)
    labels = np.arange(10) * 10
    data = ArrayBatches((images, labels), 4, seed=3)
    assert data.steps == 2 and data.num_batches == 2
    stream = data.after(0)
    epochs = [[stream[e * 2 + b] for b in range(2)] for e in range(3)]
    for epoch in epochs:
        rows = np.concatenate([x.reshape(-1) for x, _ in epoch])
        assert len(set(rows)) == 8  # 8 of the 10 rows, each once
        for x, y in epoch:
            np.testing.assert_array_equal(x.reshape(-1) * 10, y)
    assert not np.array_equal(epochs[0][0][0], epochs[1][0][0])
    for position in (0, 1, 3, 5):
        for a, b in zip(data.after(position)[0], stream[position], strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(data[1][0], stream[1][0])
    other = ArrayBatches((images, labels), 4, seed=4).after(0)
    assert not np.array_equal(other[0][0], stream[0][0])


def test_array_batches_of_unpaired_domains_and_crops():
    """Domains of different sizes each in their own order, reshuffled when one runs
    out, max(len) pairs an epoch; a crop takes the same window of A and B, at offsets
    that vary. Cost: < 1 s."""
    from ganzoo.data.arrays import ArrayBatches

    a, b = np.arange(6).reshape(6, 1, 1, 1), np.arange(3).reshape(3, 1, 1, 1)
    stream = ArrayBatches({"A": a, "B": b}, 2, seed=0).after(0)
    assert ArrayBatches({"A": a, "B": b}, 2).steps == 3
    drawn_a = np.concatenate([stream[i]["A"].reshape(-1) for i in range(3)])
    drawn_b = np.concatenate([stream[i]["B"].reshape(-1) for i in range(3)])
    assert sorted(drawn_a) == list(range(6))
    assert sorted(drawn_b[:3]) == sorted(drawn_b[3:]) == [0, 1, 2]
    coordinates = np.stack(np.meshgrid(np.arange(8), np.arange(8), indexing="ij"), -1)
    pairs = np.repeat(coordinates[None].astype("float32"), 16, 0)
    cropped = ArrayBatches((pairs, pairs + 100), 16, crop=5, seed=1)[0]
    assert cropped[0].shape == (16, 5, 5, 2)
    np.testing.assert_array_equal(cropped[0] + 100, cropped[1])
    assert len({tuple(corner) for corner in cropped[0][:, 0, 0]}) > 4
    with pytest.raises(ganzoo.errors.InvalidArgumentError, match="batch_size=20"):
        ArrayBatches(a, 20)
