"""`ganzoo list`: the shipped presets with their scores, and the recipes."""

import json

from ganzoo.presets import shipped_presets
from ganzoo.zoo.recipes import shipped_recipes

NAME = "list"
HELP = "the shipped presets with their scores, and the recipes"


def add_arguments(parser):
    """No arguments."""


def run(args):
    print("Presets (ganzoo sample / translate / eval / export NAME):")
    for name, folder in shipped_presets().items():
        metadata = json.loads((folder / "metadata.json").read_text())
        print(f"{name}  ({metadata['class_name']}, {metadata['parameters']['total']:,} parameters)")
        print(f"    {metadata.get('description', '')}")
        claim = metadata.get("claim")
        if claim:
            print(
                f"    {claim['metric']} {claim['trained']:.4g} on {metadata['scores']['data']} "
                f"(untrained: {claim['untrained']:.4g})"
            )
    print("\nRecipes (ganzoo train NAME):")
    recipes = shipped_recipes()
    width = max(map(len, recipes))
    for name, description in recipes.items():
        print(f"{name:<{width}}  {description}")
