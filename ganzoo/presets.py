"""Presets: a trained model in a folder, loaded with one call on any backend.

A preset is a folder in the Keras convention (as keras-hub's):

    config.json        the model's class and constructor arguments
    model.weights.h5   its weights (generators and discriminators, no optimizer state)
    metadata.json      versions, parameter counts, the recipe and data it was trained
                       on, its scores and its untrained twin's, and the sha256 and
                       size of the two files above

`from_preset(name_or_path_or_url)` checks every file against metadata.json before it
builds anything, so an altered, truncated or missing file is refused with its name.
The shipped presets are the folders of `pretrained/` that hold a metadata.json.
"""

import contextlib
import hashlib
import json
import math
import os
import pathlib
import shutil
import tempfile

PRESETS_DIR = pathlib.Path(__file__).resolve().parents[1] / "pretrained"
CONFIG_FILE, WEIGHTS_FILE, METADATA_FILE = "config.json", "model.weights.h5", "metadata.json"
CHECKED_FILES = (CONFIG_FILE, WEIGHTS_FILE)
URL_SCHEMES = ("http://", "https://", "file://")


class PresetError(ValueError):
    """A preset that cannot be loaded; the message names the file and what to do."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parameter_counts(model):
    """Trainable parameters of each network of the model, and their total."""
    counts = {
        layer.name: sum(math.prod(w.shape) for w in layer.trainable_weights)
        for layer in model.layers
        if layer.trainable_weights
    }
    return {**counts, "total": sum(counts.values())}


@contextlib.contextmanager
def written_whole(path):
    """Yields a place beside `path` to write a file or folder into. If the block ends
    without an error, what was written there replaces `path` by a rename; either way
    nothing else is left behind, so a failed write leaves `path` as it was."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        written = staging / path.name
        yield written
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        os.replace(written, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def save_preset(model, folder, metadata=None, overwrite=False):
    """Writes `model` as a preset folder, atomically.

    The files are written into a temporary folder beside `folder`, which then takes
    its place, so an interrupted save leaves no half-written preset.

    Args:
        model: a ganzoo model.
        folder: the preset folder to write.
        metadata: extra entries for metadata.json (description, recipe, scores).
        overwrite: replace an existing folder. Defaults to False.

    Returns:
        the folder, as a `pathlib.Path`.
    """
    import keras

    import ganzoo

    folder = pathlib.Path(folder)
    if folder.exists() and not overwrite:
        raise FileExistsError(f"{folder} exists; pass overwrite=True to replace it.")
    with written_whole(folder) as staging:
        staging.mkdir()
        config = keras.saving.serialize_keras_object(model)
        config = {k: config[k] for k in ("module", "class_name", "config", "registered_name")}
        (staging / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
        # An uncompiled copy: the preset holds the networks' weights, not the optimizers'.
        inference_copy = type(model).from_config(model.get_config())
        inference_copy.set_weights(model.get_weights())
        inference_copy.save_weights(staging / WEIGHTS_FILE)
        files = {
            name: {"sha256": sha256(staging / name), "bytes": (staging / name).stat().st_size}
            for name in CHECKED_FILES
        }
        metadata = {
            "name": folder.name,
            **(metadata or {}),
            "class_name": type(model).__name__,
            "ganzoo_version": ganzoo.__version__,
            "keras_version": keras.__version__,
            "parameters": parameter_counts(model),
            "files": files,
        }
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    return folder


def shipped_presets():
    """Name -> folder of every preset in `pretrained/`."""
    if not PRESETS_DIR.is_dir():
        return {}
    return {p.parent.name: p.parent for p in sorted(PRESETS_DIR.glob(f"*/{METADATA_FILE}"))}


def download_preset(url, cache_dir=None):
    """Downloads a preset folder's files once into the Keras cache, hashes checked."""
    import keras

    url = url.rstrip("/")
    name = url.rsplit("/", 1)[-1]
    if cache_dir is not None:
        pathlib.Path(cache_dir).mkdir(parents=True, exist_ok=True)  # else Keras uses /tmp
    subdir = f"ganzoo_presets/{name}"
    metadata = pathlib.Path(
        keras.utils.get_file(
            METADATA_FILE,
            f"{url}/{METADATA_FILE}",
            cache_subdir=subdir,
            cache_dir=cache_dir,
            force_download=True,
        )
    )
    files = read_metadata(metadata.parent).get("files", {})
    for file in CHECKED_FILES:
        if file not in files:
            raise PresetError(f"{metadata} lists no sha256 for {file}; it is not a preset.")
        keras.utils.get_file(
            file,
            f"{url}/{file}",
            cache_subdir=subdir,
            cache_dir=cache_dir,
            file_hash=files[file]["sha256"],
            hash_algorithm="sha256",
        )
    return metadata.parent


def preset_folder(preset, cache_dir=None):
    """A preset's folder from its name, its path or its URL (downloaded once)."""
    preset = str(preset)
    if preset.startswith(URL_SCHEMES):
        return download_preset(preset, cache_dir)
    path = pathlib.Path(preset)
    if path.is_dir():
        return path
    presets = shipped_presets()
    if preset in presets:
        return presets[preset]
    raise PresetError(
        f"no preset {preset!r}: not a folder, and not one of the shipped presets "
        f"({', '.join(presets) or 'none found'}; see `ganzoo list`). Give a preset's "
        "name, its folder or its URL."
    )


def read_metadata(folder):
    path = pathlib.Path(folder) / METADATA_FILE
    if not path.is_file():
        raise PresetError(
            f"{path} is missing: {folder} is not a complete preset. Copy or download the "
            "whole folder again, or write it with ganzoo.save_preset."
        )
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PresetError(
            f"{path} is not valid JSON ({error}); the file is damaged. Copy or download "
            "the preset again."
        ) from None


def verify_preset(folder):
    """Checks each file of a preset against the sha256 in its metadata; returns the metadata."""
    folder = pathlib.Path(folder)
    metadata = read_metadata(folder)
    for name in CHECKED_FILES:
        path = folder / name
        expected = metadata.get("files", {}).get(name)
        if expected is None:
            raise PresetError(f"{folder / METADATA_FILE} lists no sha256 for {name}.")
        if not path.is_file():
            raise PresetError(f"{path} is missing. Copy or download the whole preset folder again.")
        size, digest = path.stat().st_size, sha256(path)
        if digest != expected["sha256"]:
            damage = "truncated" if size < expected["bytes"] else "altered"
            raise PresetError(
                f"{path} fails its checksum: it is {damage} ({size} bytes, sha256 "
                f"{digest[:12]}..., expected {expected['bytes']} bytes, "
                f"{expected['sha256'][:12]}...). Copy or download the preset again."
            )
    return metadata


def from_preset(preset, cache_dir=None):
    """Builds a preset's model and loads its weights, on the active Keras backend.

    Args:
        preset: a shipped preset's name (`ganzoo list`), a preset folder, or the URL
            of one (its files are downloaded once into the Keras cache and checked).
        cache_dir: where downloads go. Defaults to Keras' (~/.keras).

    Returns:
        the model, uncompiled (compile it to fine-tune), with `model.preset_metadata`.

    Raises:
        PresetError: a file is missing, truncated or altered (checked before building).
    """
    import keras

    import ganzoo  # noqa: F401  (registers the model classes)

    folder = preset_folder(preset, cache_dir)
    metadata = verify_preset(folder)
    model = keras.saving.deserialize_keras_object(json.loads((folder / CONFIG_FILE).read_text()))
    model.load_weights(folder / WEIGHTS_FILE)
    model.preset_metadata = metadata
    return model
