"""The shipped presets' table and sample images for the README, recomputed from the presets.

    python -m benchmarks zoo [--images docs/images]

For each preset of `pretrained/`: its held-out scores now (what `ganzoo eval NAME`
prints), its untrained twin's (the recipe and seed, built and not trained), the
recipe's claims (against the twin, and against real data for generators), parameters,
file size and training time; and a preview image (`ganzoo.images.preview_images`)
written to `--images`.
"""

import argparse
import pathlib

import keras

from benchmarks.tables import print_table
from ganzoo.images import preview_images, save_image_grid
from ganzoo.metrics.held_out import held_out_examples
from ganzoo.models import from_preset
from ganzoo.presets import shipped_presets
from ganzoo.zoo.run import rescore_preset

SHOWN = {  # the scores printed for each kind, after the claim's metric
    "generator": ("frechet_distance", "kid", "precision", "recall"),
    "translator": ("l1", "psnr", "ssim"),
    "cycle_translator": ("a_cycle_l1", "b_cycle_l1", "a_cycle_ssim"),
    "segmenter": ("pixel_accuracy",),
}


def formatted(value):
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def floor_claim(claim):
    """The claim against real data, or "-" (translators: the floor is a perfect score)."""
    if "floor" not in claim:
        return "-"
    return (
        f"{claim['metric']} {formatted(claim['trained'])} vs {formatted(claim['floor'])}: "
        f"{claim['within_floor']:.3g}x (claimed at most {claim['claimed_within_floor']:g}x)"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=pathlib.Path, default=pathlib.Path("docs/images"))
    args = parser.parse_args(argv)
    print_table(
        f"backend {keras.backend.backend()}",
        [
            "preset",
            "family",
            "held-out data",
            "claim: trained vs untrained",
            "claim: trained vs real data (floor)",
            "other scores (untrained)",
            "parameters",
            "size",
            "trained in",
        ],
        preset_rows(args.images),
    )
    print(
        f"wrote {args.images}/NAME.png: samples (one class per column for cgan), or "
        "held-out translations (rows: input, output, target; CycleGAN: a, G(a), b, F(b))"
    )


def preset_rows(images_folder):
    """One row per shipped preset, rescored now; writes its preview image."""
    for name, folder in shipped_presets().items():
        model = from_preset(name)
        metadata = model.preset_metadata
        recipe, scores, untrained, claim = rescore_preset(model)
        options = recipe.eval
        others = ", ".join(
            f"{key} {formatted(scores[key])} ({formatted(untrained[key])})"
            for key in SHOWN[model.kind]
            if key != options.metric
        )
        size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
        training = metadata["training"]
        examples = None
        if model.kind != "generator":
            examples = held_out_examples(model, options.data, count=12)
        images, columns = preview_images(model, examples, num_images=100, seed=0)
        save_image_grid(images, images_folder / f"{name}.png", columns)
        yield (
            f"`{name}`",
            metadata["class_name"],
            scores["data"],
            f"{claim['metric']} {formatted(claim['trained'])} vs "
            f"{formatted(claim['untrained'])}: {claim['better_by']:.3g}x "
            f"(claimed {options.better_by:g}x{'' if claim['holds'] else ', FAILS'})",
            floor_claim(claim),
            others,
            f"{metadata['parameters']['total'] / 1e6:.2f}M",
            f"{size:.1f} MB",
            f"{training['epochs']} epochs, {training['seconds_this_run'] / 60:.1f} min",
        )


if __name__ == "__main__":
    main()
