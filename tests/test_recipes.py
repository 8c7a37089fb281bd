"""Recipes: zoo_configs/ checked on load, typos and missing keys refused naming the key."""

import numpy as np
import pytest

from ganzoo.resources import recipes_dir
from ganzoo.zoo import recipes
from ganzoo.zoo.recipes import RecipeError, load_recipe

pytestmark = pytest.mark.one_backend

RECIPES = sorted(recipes_dir().glob("*.toml"))


TINY_RECIPE = """
description = "tiny DCGAN"
[model]
class = "DCGAN"
filters = 4
[data]
source = "mnist5k"
batch_size = 32
[train]
epochs = 1
"""


def write_recipe(tmp_path, text):
    path = tmp_path / "recipe.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.stem)
def test_every_recipe_in_zoo_configs_is_valid(path):
    recipe = load_recipe(path.stem)
    assert recipe.name == path.stem and recipe.description
    assert recipe.model["class"] in recipes.model_families()


@pytest.mark.parametrize(
    "table, line, message",
    [
        ("[model]", "filtres = 8", "unknown key 'filtres'. Did you mean 'filters'?"),
        ("[model]", 'latent_dim = "8"', "'latent_dim' must be int; received '8'"),
        ("[data]", "batch_sise = 8", "[data] (source 'mnist5k'): unknown key 'batch_sise'"),
        ("[train]", "epoch = 3", "[train]: unknown key 'epoch'. Did you mean 'epochs'?"),
        ("[train]", "learning_rate = true", "'learning_rate' must be float"),
    ],
)
def test_a_recipe_typo_is_refused_naming_the_key(tmp_path, table, line, message):
    text = TINY_RECIPE.replace(f"{table}\n", f"{table}\n{line}\n")
    with pytest.raises(RecipeError) as error:
        load_recipe(write_recipe(tmp_path, text))
    assert message in str(error.value)
    assert str(tmp_path / "recipe.toml") in str(error.value)


def test_recipe_errors_name_what_is_missing_or_unknown(tmp_path):
    cases = {
        TINY_RECIPE + "[evaluation]\n": "unknown key 'evaluation'. Did you mean 'eval'?",
        TINY_RECIPE.replace('class = "DCGAN"', 'class = "DCGan"'): "'class' must be one of",
        TINY_RECIPE.replace('"mnist5k"', '"mnist"'): "unknown source 'mnist'",
        TINY_RECIPE.replace('source = "mnist5k"', 'source = "tfds"'): "missing key 'name'",
        TINY_RECIPE.replace("epochs = 1", ""): "[train]: missing key 'epochs'",
        TINY_RECIPE + '[eval]\ndata = "mnist5k"\nmetric = "fid"\nbetter_by = 2.0\n': (
            "'mnist5k' gives no score 'fid'. It gives: frechet_distance, kid"
        ),
        TINY_RECIPE
        + '[eval]\ndata = "font_pairs"\nmetric = "l1"\nbetter_by = 2.0\nwithin_floor = 2.0\n': (
            "within_floor is for generators; the floor of 'font_pairs' is a perfect score"
        ),
    }
    for text, message in cases.items():
        with pytest.raises(RecipeError) as error:
            load_recipe(write_recipe(tmp_path, text))
        assert message in str(error.value), (message, str(error.value))
    with pytest.raises(RecipeError, match="no recipe named 'dcgan_mnist'"):
        load_recipe("dcgan_mnist")


def test_overrides_are_checked_like_the_file(tmp_path):
    path = write_recipe(tmp_path, TINY_RECIPE)
    recipe = load_recipe(path, {"train.epochs": 3, "model.filters": 2})
    assert recipe.train.epochs == 3 and recipe.model["filters"] == 2
    assert recipes.parse_override("data.batch_size=16") == ("data.batch_size", 16)
    assert recipes.parse_override("model.norm=instance") == ("model.norm", "instance")
    with pytest.raises(RecipeError, match="unknown key 'filter'"):
        load_recipe(path, {"model.filter": 2})


def test_a_claim_against_real_data_holds_only_within_its_factor_of_the_floor():
    from ganzoo.zoo.recipes import EvalOptions
    from ganzoo.zoo.run import claim_result

    options = EvalOptions("mnist5k", "frechet_distance", better_by=10.0, within_floor=3.0)
    untrained, floor = {"frechet_distance": 400.0}, {"frechet_distance": 1.0}
    claim = claim_result(options, {"frechet_distance": 2.5}, untrained, floor)
    assert claim["holds"] and claim["within_floor"] == 2.5 and claim["better_by"] == 160
    assert not claim_result(options, {"frechet_distance": 3.5}, untrained, floor)["holds"]
    accuracy = EvalOptions("mnist5k", "label_accuracy", better_by=4.0, within_floor=1.02)
    claim = claim_result(accuracy, {"label_accuracy": 0.97}, {"label_accuracy": 0.1},
                         {"label_accuracy": 0.99})  # fmt: skip
    assert np.isclose(claim["within_floor"], 0.99 / 0.97) and not claim["holds"]
    assert "floor" not in claim_result(EvalOptions("mnist5k", "kid", 2.0), {"kid": 1.0},
                                       {"kid": 9.0})  # fmt: skip
