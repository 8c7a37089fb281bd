"""Sharing presets on the model hubs: `upload_preset(handle, folder)`.

    ganzoo.upload_preset("hf://you/dcgan-mnist", "runs/dcgan_mnist5k/preset")
    ganzoo.upload_preset("kaggle://you/dcgan-mnist/keras/mnist5k", "runs/dcgan_mnist5k/preset")

The preset is checked (every file against its sha256) and pushed with the hub's own
client (huggingface_hub with HF_TOKEN / `hf auth login`; kagglehub with its
credentials), together with a generated model card: README.md with the family, the
recipe, the held-out scores against the untrained twin, a sample image and the
licence of the training data. Loading it back is `ganzoo.from_preset(handle)`, which
checks every file again. Both clients are the optional extra `ganzoo[hub]`.
"""

import json
import pathlib
import tempfile

from ganzoo import presets
from ganzoo.images import preview_images, save_image_grid
from ganzoo.metrics.held_out import held_out_examples
from ganzoo.models import from_preset
from ganzoo.zoo.report import claim_summary, score_rows

MODEL_CARD, SAMPLE_IMAGE = "README.md", "sample.png"

MNIST = "MNIST (LeCun, Cortes & Burges), CC BY-SA 3.0"
FONTS = (
    "glyphs of the fonts shipped with matplotlib (DejaVu: Bitstream Vera licence; "
    "STIX: SIL OFL 1.1; Computer Modern (BaKoMa): free with attribution)"
)
# The licence of each data source's data, for the model card.
DATA_LICENCES = {
    "mnist5k": MNIST,
    "font_pairs": FONTS,
    "digits_typeset": f"{MNIST}; {FONTS}",
    "photo_pairs": "the photographs of skimage.data: public domain and CC0 (ganzoo.data.photos)",
}
UNKNOWN_LICENCE = "that of the training data set (see its own terms)"


def model_card(metadata, handle):
    """README.md for a preset on a hub: what it is, how to load it, how good it is."""
    family = metadata["class_name"]
    recipe = metadata.get("recipe", {})
    source = recipe.get("data", {}).get("source", "")
    lines = [
        "---",
        "library_name: keras",
        f"tags: [ganzoo, gan, {family.lower()}]",
        "---",
        "",
        f"# {metadata.get('name', family)}",
        "",
        metadata.get("description", f"A ganzoo {family}."),
        "",
        f"A [ganzoo](https://pypi.org/project/ganzoo/) `{family}` preset "
        f"({metadata['parameters']['total']:,} parameters, Keras {metadata['keras_version']}); "
        "it loads on TensorFlow, JAX or PyTorch, every file checked against its sha256:",
        "",
        "```python",
        "import ganzoo",
        "",
        f'model = ganzoo.{family}.from_preset("{handle}")',
        "```",
        "",
        f"![samples]({SAMPLE_IMAGE})",
        "",
    ]
    scores, untrained = metadata.get("scores"), metadata.get("untrained_scores") or {}
    if scores:
        lines += [
            f"## Scores on {scores.get('data', 'held-out data')}",
            "",
            "| score | trained | untrained (same recipe and seed) |",
            "|---|---|---|",
        ]
        for name, value, before in score_rows(scores, untrained):
            shown = f"{before:.4g}" if isinstance(before, float) else ""
            lines.append(f"| {name} | {value:.4g} | {shown} |")
        claim = metadata.get("claim")
        if claim:
            lines += ["", f"The recipe's claim: {claim_summary(claim)}"]
        lines.append("")
    if recipe:
        lines += ["## Recipe", "", "```json", json.dumps(recipe, indent=2), "```", ""]
    training = metadata.get("training")
    if training:
        lines += [
            "## Training",
            "",
            ", ".join(f"{key}: {value}" for key, value in training.items()),
            "",
        ]
    lines += [
        "## Licence of the training data",
        "",
        DATA_LICENCES.get(source, UNKNOWN_LICENCE) + ".",
        "",
    ]
    return "\n".join(lines)


def sample_image(folder, path):
    """The preset's preview grid: samples of a generator, held-out rows of a translator."""
    model = from_preset(folder)
    generates = model.kind == "generator"
    examples = None if generates else held_out_examples(model, count=8)
    images, columns = preview_images(model, examples, num_images=20 if generates else 8)
    return save_image_grid(images, path, columns)


def upload_preset(handle, folder, licence="Apache 2.0"):
    """Pushes a preset folder, with a generated model card, to a model hub.

    Args:
        handle: `hf://owner/name` (Hugging Face Hub; created if missing) or
            `kaggle://owner/model/keras/variant` (a new version if it exists).
        folder: a preset folder (`save_preset`, `ganzoo train`'s `preset/`).
        licence: the weights' licence, as Kaggle names it. Defaults to "Apache 2.0".

    Returns:
        the handle.

    Raises:
        PresetError: the folder is not a whole preset, or the handle is not a hub's.
    """
    metadata = presets.verify_preset(folder)
    scheme, _, path = handle.partition("://")
    if scheme not in ("hf", "kaggle") or not path:
        raise presets.PresetError(
            f"cannot upload to {handle!r}: give hf://owner/name or "
            "kaggle://owner/model/keras/variant."
        )
    with tempfile.TemporaryDirectory() as scratch:
        staging = pathlib.Path(scratch) / "preset"
        staging.mkdir()
        for name in (presets.METADATA_FILE, *presets.CHECKED_FILES):
            (staging / name).write_bytes((pathlib.Path(folder) / name).read_bytes())
        sample_image(staging, staging / SAMPLE_IMAGE)
        (staging / MODEL_CARD).write_text(model_card(metadata, handle))
        try:
            if scheme == "hf":
                import huggingface_hub  # local: an optional dependency (the `hub` extra)

                api = huggingface_hub.HfApi()
                api.create_repo(path, exist_ok=True)
                api.upload_folder(
                    repo_id=path, folder_path=staging, commit_message="Upload ganzoo preset"
                )
            else:
                import kagglehub  # local: an optional dependency (the `hub` extra)

                kagglehub.model_upload(path, str(staging), license_name=licence)
        except ImportError as error:
            raise presets.PresetError(
                f'uploading to {handle} needs {error.name}: pip install "ganzoo[hub]".'
            ) from None
    return handle
