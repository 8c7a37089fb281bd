"""Presets: a trained model in a folder, loaded with one call on any backend.

A preset is a folder in the Keras convention (as keras-hub's):

    config.json        the model's class and constructor arguments
    model.weights.h5   its weights (generators and discriminators, no optimizer state)
    metadata.json      versions, parameter counts, the recipe and data it was trained
                       on, its scores and its untrained twin's, and the sha256 and
                       size of the two files above

A preset is named by a handle:

    dcgan_mnist5k                            a shipped preset (`ganzoo list`)
    path/to/folder                           a folder
    https://host/path/preset  (or file://)   a folder on a web server
    hf://owner/name[@revision]               a Hugging Face Hub model repository
    kaggle://owner/model/keras/variant[/N]   a Kaggle model (version N, else the latest)

Every file is checked against metadata.json before anything is built, whatever the
source, so an altered, truncated or missing file is refused with its name. Downloads
go into the Keras cache (~/.keras, or `cache_dir`) and a second load of the same
handle works offline.

This module imports Keras only inside the functions that build or save models, so
that `ganzoo list` and `ganzoo --help` answer without starting a backend.
"""

import hashlib
import json
import math
import pathlib
import sys
import urllib.error
import urllib.request

from ganzoo.errors import ExistingFileError, PresetError
from ganzoo.files import require_space, written_whole
from ganzoo.resources import keras_cache, presets_dir
from ganzoo.version import __version__

CONFIG_FILE, WEIGHTS_FILE, METADATA_FILE = "config.json", "model.weights.h5", "metadata.json"
CHECKED_FILES = (CONFIG_FILE, WEIGHTS_FILE)
URL_SCHEMES = ("http://", "https://", "file://")
HUB_SCHEMES = ("hf://", "kaggle://")
DOWNLOAD_TIMEOUT = 30  # seconds without an answer before a download counts as failed


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


HDF5_BYTES_PER_VARIABLE = 8192  # an HDF5 dataset's headers and metadata, generously


def weights_file_bytes(variables):
    """An upper estimate of the size of a `.weights.h5` file holding `variables`: what a
    write must find free, since HDF5 crashes the process when the disk fills mid-file."""
    return sum(
        math.prod(v.shape) * 8 + HDF5_BYTES_PER_VARIABLE for v in variables
    )  # 8: the widest dtype stored


def parameter_counts(model):
    """Trainable parameters of each network of the model, and their total."""
    counts = {
        layer.name: sum(math.prod(w.shape) for w in layer.trainable_weights)
        for layer in model.layers
        if layer.trainable_weights
    }
    return {**counts, "total": sum(counts.values())}


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
    import keras  # local: Keras starts a backend; `ganzoo list` needs none

    folder = pathlib.Path(folder)
    if folder.exists() and not overwrite:
        raise ExistingFileError(f"{folder} exists; pass overwrite=True to replace it.")
    with written_whole(folder) as staging:
        staging.mkdir()
        config = keras.saving.serialize_keras_object(model)
        config = {k: config[k] for k in ("module", "class_name", "config", "registered_name")}
        (staging / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
        # An uncompiled copy: the preset holds the networks' weights, not the optimizers'.
        inference_copy = type(model).from_config(model.get_config())
        inference_copy.set_weights(model.get_weights())
        # And the random-number state that the GANs save (weights leave it out): a copy's
        # own comes from Python's global state, which a resumed process has advanced
        # differently.
        if hasattr(model, "seed_states"):
            states = zip(inference_copy.seed_states(), model.seed_states(), strict=True)
            for copied, state in states:
                copied.assign(state)
        require_space(staging, weights_file_bytes(inference_copy.weights))
        inference_copy.save_weights(staging / WEIGHTS_FILE)
        files = {
            name: {"sha256": sha256(staging / name), "bytes": (staging / name).stat().st_size}
            for name in CHECKED_FILES
        }
        metadata = {
            "name": folder.name,
            **(metadata or {}),
            "class_name": type(model).__name__,
            "ganzoo_version": __version__,
            "keras_version": keras.__version__,
            "parameters": parameter_counts(model),
            "files": files,
        }
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    return folder


def shipped_presets():
    """Name -> folder of every preset that ships with ganzoo (`ganzoo list`)."""
    return {p.parent.name: p.parent for p in sorted(presets_dir().glob(f"*/{METADATA_FILE}"))}


def cache_root(cache_dir=None):
    """Where downloaded presets go: `cache_dir`, else Keras' cache (KERAS_HOME, ~/.keras)."""
    return keras_cache(cache_dir) / "ganzoo_presets"


def cache_key(handle):
    """A cache folder name for a handle: readable, and unique to the whole handle."""
    tail = handle.rstrip("/").rsplit("/", 1)[-1].split("@")[0] or "preset"
    return f"{tail}-{hashlib.sha256(handle.encode()).hexdigest()[:16]}"


def checked_metadata(text, source):
    """metadata.json's text, parsed, with a sha256 for each checked file."""
    try:
        metadata = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PresetError(
            f"{source} is not valid JSON ({error}); the file is damaged. Copy or download "
            "the preset again."
        ) from None
    files = metadata.get("files") if isinstance(metadata, dict) else None
    for name in CHECKED_FILES:
        if not isinstance(files, dict) or "sha256" not in files.get(name, {}):
            raise PresetError(f"{source} lists no sha256 for {name}; it is not a ganzoo preset.")
    return metadata


def download_preset(url, cache_dir=None):
    """A preset folder at a URL, downloaded into the cache once, every file checked.

    metadata.json is fetched anew when the server answers (a changed preset replaces
    the cached one, file by file, each checked against its new hash) and taken from the
    cache when it does not, so a second load works offline.
    """
    import keras  # local: Keras starts a backend; `ganzoo list` needs none

    url = url.rstrip("/")
    folder = cache_root(cache_dir) / cache_key(url)
    folder.mkdir(parents=True, exist_ok=True)
    cached = folder / METADATA_FILE
    try:
        with urllib.request.urlopen(f"{url}/{METADATA_FILE}", timeout=DOWNLOAD_TIMEOUT) as answer:
            text = answer.read()
    except (urllib.error.URLError, OSError) as error:
        if not cached.is_file():
            raise PresetError(
                f"cannot download {url}/{METADATA_FILE} ({error}), and it was never "
                "downloaded before. Check the URL and the network, or give a local folder."
            ) from None
        print(f"ganzoo: {url} is unreachable ({error}); using the cached copy.", file=sys.stderr)
        text = cached.read_bytes()
    metadata = checked_metadata(text, f"{url}/{METADATA_FILE}")
    with written_whole(cached) as staging:
        staging.write_bytes(text)
    for name in CHECKED_FILES:
        try:
            keras.utils.get_file(
                name,
                f"{url}/{name}",
                cache_subdir=str(folder),  # an absolute subdir is used as it is
                file_hash=metadata["files"][name]["sha256"],
                hash_algorithm="sha256",
            )
        except ValueError as error:  # get_file's "incomplete or corrupted" after download
            raise PresetError(
                f"{url}/{name} does not match the sha256 in its metadata.json ({error}). "
                "The server holds a damaged or altered preset."
            ) from None
        except Exception as error:  # urllib's and get_file's network errors
            raise PresetError(f"cannot download {url}/{name}: {error}") from None
    return folder


def hub_index(cache_dir=None):
    return cache_root(cache_dir) / "hub_handles.json"


def hub_folders(cache_dir=None):
    """Hub handle -> the folder its last successful download went to."""
    index = hub_index(cache_dir)
    return json.loads(index.read_text()) if index.is_file() else {}


def remember_hub_folder(handle, folder, cache_dir=None):
    """Records where a hub handle was downloaded to (for loads without network)."""
    known = {**hub_folders(cache_dir), handle: str(folder)}
    with written_whole(hub_index(cache_dir)) as staging:
        staging.write_text(json.dumps(known, indent=2) + "\n")


def hub_download(handle, cache_dir=None):
    """A hub handle's folder: downloaded by the hub's own client (huggingface_hub or
    kagglehub, into its cache), or, when the hub cannot be reached, the copy that the
    last successful download of the same handle left there."""
    scheme, path = handle.split("://", 1)
    try:
        download = hf_download if scheme == "hf" else kaggle_download
        own_cache = (
            None if cache_dir is None else cache_root(cache_dir) / scheme / cache_key(handle)
        )
        folder = download(path, own_cache)
    except ImportError as error:
        extra = {"hf": "huggingface_hub", "kaggle": "kagglehub"}[scheme]
        raise PresetError(
            f'{handle} needs {extra} ({error}); install it with `pip install "ganzoo[hub]"`.'
        ) from None
    except Exception as error:  # the hub clients' network and not-found errors
        message = " ".join(str(error).split()) or type(error).__name__  # one line
        before = hub_folders(cache_dir).get(handle)
        if before and pathlib.Path(before).is_dir():
            print(
                f"ganzoo: {handle} is unreachable ({message}); using the copy downloaded before.",
                file=sys.stderr,
            )
            return pathlib.Path(before)
        raise PresetError(f"cannot download {handle}: {message}") from None
    remember_hub_folder(handle, folder, cache_dir)
    return pathlib.Path(folder)


def hf_download(path, cache=None):
    """`owner/name[@revision]` from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN), into
    `cache` or huggingface_hub's own cache (HF_HOME)."""
    import huggingface_hub  # local: an optional dependency (the `hub` extra)

    repo_id, _, revision = path.partition("@")
    return huggingface_hub.snapshot_download(
        repo_id,
        revision=revision or None,
        allow_patterns=[METADATA_FILE, *CHECKED_FILES],
        cache_dir=cache,
    )


def kaggle_download(path, cache=None):
    """`owner/model/keras/variant[/version]` from Kaggle (kagglehub's credentials), into
    `cache` or kagglehub's own cache (KAGGLEHUB_CACHE)."""
    import kagglehub  # local: an optional dependency (the `hub` extra)

    return kagglehub.model_download(path, output_dir=None if cache is None else str(cache))


def preset_folder(preset, cache_dir=None):
    """A preset's folder from its handle: a name, a path, a URL or a hub handle."""
    preset = str(preset)
    if preset.startswith(URL_SCHEMES):
        return download_preset(preset, cache_dir)
    if preset.startswith(HUB_SCHEMES):
        return hub_download(preset, cache_dir)
    path = pathlib.Path(preset)
    if path.is_dir():
        return path
    presets = shipped_presets()
    if preset in presets:
        return presets[preset]
    raise PresetError(
        f"no preset {preset!r}: not a folder, and not one of the shipped presets "
        f"({', '.join(presets) or 'none found'}; see `ganzoo list`). Give a preset's "
        "name, its folder, its URL, hf://owner/name or kaggle://owner/model/keras/variant."
    )


def read_metadata(folder):
    path = pathlib.Path(folder) / METADATA_FILE
    if not path.is_file():
        raise PresetError(
            f"{path} is missing: {folder} is not a complete preset. Copy or download the "
            "whole folder again, or write it with ganzoo.save_preset."
        )
    return checked_metadata(path.read_bytes(), path)


def verify_preset(folder):
    """Checks each file of a preset against the sha256 in its metadata; returns the metadata."""
    folder = pathlib.Path(folder)
    metadata = read_metadata(folder)
    for name in CHECKED_FILES:
        path, expected = folder / name, metadata["files"][name]
        if not path.is_file():
            raise PresetError(f"{path} is missing. Copy or download the whole preset folder again.")
        size, digest = path.stat().st_size, sha256(path)
        if digest != expected["sha256"]:
            damage = "truncated" if size < expected.get("bytes", 0) else "altered"
            raise PresetError(
                f"{path} fails its checksum: it is {damage} ({size} bytes, sha256 "
                f"{digest[:12]}..., expected {expected.get('bytes')} bytes, "
                f"{expected['sha256'][:12]}...). Copy or download the preset again."
            )
    return metadata


def load_preset(preset, family, load_weights=True, cache_dir=None):
    """Builds a preset's model and loads its weights, on the active Keras backend.

    Args:
        preset: a handle (see the module docstring).
        family: the class asked for; the preset must hold it or a subclass of it.
        load_weights: load the trained weights. False builds the architecture only
            (freshly initialised). Defaults to True.
        cache_dir: where downloads go. Defaults to Keras' cache (~/.keras).

    Returns:
        the model, uncompiled (compile it to fine-tune), with `model.preset_metadata`.

    Raises:
        PresetError: a file is missing, truncated or altered (checked before building),
            or the preset holds another family.
    """
    import keras  # local: Keras starts a backend; `ganzoo list` needs none

    folder = pathlib.Path(preset_folder(preset, cache_dir))
    metadata = verify_preset(folder)
    config = json.loads((folder / CONFIG_FILE).read_text())
    held = keras.saving.get_registered_object(config.get("registered_name"))
    if held is None:
        raise PresetError(
            f"{folder / CONFIG_FILE} names the class {config.get('registered_name')!r}, which "
            f"this ganzoo ({__version__}) does not have. Upgrade ganzoo, or check the preset."
        )
    if not issubclass(held, family):
        raise PresetError(
            f"{preset} holds a {held.__name__}, not a {family.__name__}: load it with "
            f"ganzoo.{held.__name__}.from_preset or ganzoo.from_preset."
        )
    model = keras.saving.deserialize_keras_object(config)
    if load_weights:
        model.load_weights(folder / WEIGHTS_FILE)
    model.preset_metadata = metadata
    return model


class PresetModel:
    """`from_preset` and `save_to_preset` for ganzoo's Keras models (a mixin)."""

    @classmethod
    def from_preset(cls, preset, load_weights=True, cache_dir=None):
        """A model of this family from a preset, on the active Keras backend.

        `ganzoo.DCGAN.from_preset("dcgan_mnist5k")` refuses a preset of another class
        (naming both); `ganzoo.from_preset` loads whatever a preset holds.

        Args:
            preset: a shipped preset's name (`ganzoo list`), a preset folder, a URL of
                one, `hf://owner/name[@revision]` or
                `kaggle://owner/model/keras/variant[/version]`. Every file is checked
                against the sha256 in its metadata before anything is built.
            load_weights: load the trained weights; False builds the architecture
                only, freshly initialised. Defaults to True.
            cache_dir: where downloads go. Defaults to Keras' cache (~/.keras).

        Returns:
            the model, uncompiled (compile it to fine-tune), with its metadata in
            `model.preset_metadata`.
        """
        return load_preset(preset, cls, load_weights, cache_dir)

    def save_to_preset(self, folder, metadata=None, overwrite=False):
        """Writes the model as a preset folder, atomically (`ganzoo.save_preset`)."""
        return save_preset(self, folder, metadata, overwrite)
