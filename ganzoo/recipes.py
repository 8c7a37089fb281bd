"""Training recipes: one TOML file per recipe in `zoo_configs/`, checked when loaded.

A recipe has four tables and a description:

    description = "DCGAN on MNIST-5k, 28x28 (offline)"

    [model]                 # the model: `class` and any constructor argument
    class = "DCGAN"
    filters = 32

    [data]                  # the training data: a `source` of SOURCES, the batch size
    source = "mnist5k"      # and the source's options
    batch_size = 64

    [train]                 # TrainOptions
    epochs = 20

    [eval]                  # EvalOptions (optional): held-out data, and the claim the
    data = "mnist5k"        # trained model must make good against its untrained twin
    metric = "frechet_distance"
    better_by = 10.0

Every key is checked against what it configures (the model's constructor, the data
source's options, the dataclasses below) and every value against its type, so a typo
is an error that names the key and the keys it could have been.
"""

import dataclasses
import difflib
import inspect
import json
import pathlib
import time
import types
import typing

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ganzoo.resources import recipes_dir


class RecipeError(ValueError):
    """A recipe that cannot be used: the message names the file, table and key."""


@dataclasses.dataclass(frozen=True)
class TrainOptions:
    """`[train]`: how `fit` runs.

    Args:
        epochs: passes over the training data.
        learning_rate: Adam's initial rate for D and G (beta_1 0.5). Defaults to 2e-4.
        lr_policy: `ganzoo.schedules` policy. Defaults to "constant".
        decay_epochs: with "linear", the last epochs, over which the rate falls to 0
            (the reference's `--n_epochs_decay`; the others are `--n_epochs`).
        steps_per_epoch: batches per epoch. Defaults to the whole data set.
        seed: seeds the weights, the data order and the latents. Defaults to 0.
    """

    epochs: int
    learning_rate: float = 2e-4
    lr_policy: str = "constant"
    decay_epochs: int = 0
    steps_per_epoch: int | None = None
    seed: int = 0


@dataclasses.dataclass(frozen=True)
class EvalOptions:
    """`[eval]`: the held-out data, and the claim a trained model must make good.

    Args:
        data: a name of `ganzoo.metrics.EVAL_DATA` (e.g. "mnist5k", "font_pairs").
        metric: the score the claim is about (e.g. "frechet_distance").
        better_by: the trained model's `metric` must be better than its untrained
            twin's (same recipe and seed, no training) by this factor: untrained /
            trained for scores where lower is better, trained / untrained otherwise.
        num_samples: generated samples for generator scores. Defaults to 1000.
    """

    data: str
    metric: str
    better_by: float
    num_samples: int = 1000


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A checked recipe; `model` and `data` keep their tables as dicts."""

    name: str
    description: str
    model: dict
    data: dict
    train: TrainOptions
    eval: EvalOptions | None = None

    def to_dict(self):
        """The recipe as plain data (for `recipe.json` and a preset's metadata)."""
        return dataclasses.asdict(self)


# -- type checks ------------------------------------------------------------------------


def type_name(expected):
    if expected is typing.Any:
        return "any value"
    args = typing.get_args(expected)
    if args:
        return " or ".join(type_name(a) for a in args)
    return {type(None): "none", list: "a list"}.get(expected, expected.__name__)


def matches(value, expected):
    """Whether a TOML value has the expected type (ints pass as floats, lists as tuples)."""
    if expected is typing.Any:
        return True
    if typing.get_origin(expected) in (typing.Union, types.UnionType):
        return any(matches(value, option) for option in typing.get_args(expected))
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected in (list, tuple):
        return isinstance(value, list)
    return isinstance(value, expected)


def parameter_types(function, skip=()):
    """Keyword name -> expected type, from annotations, else from the default's type."""
    expected = {}
    for name, p in inspect.signature(function, eval_str=True).parameters.items():
        if name in skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.annotation is not p.empty:
            expected[name] = p.annotation
        elif p.default is p.empty or p.default is None:
            expected[name] = typing.Any
        else:
            expected[name] = list if isinstance(p.default, tuple) else type(p.default)
    return expected


def required_parameters(function, skip=()):
    return [
        name
        for name, p in inspect.signature(function).parameters.items()
        if name not in skip
        and p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def check_table(table, expected, where, required=()):
    """Raises RecipeError for an unknown key, a value of the wrong type, a missing key."""
    for key, value in table.items():
        if key not in expected:
            close = difflib.get_close_matches(key, expected, n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise RecipeError(
                f"{where}: unknown key {key!r}.{hint} Known keys: {', '.join(sorted(expected))}."
            )
        if not matches(value, expected[key]):
            raise RecipeError(
                f"{where}: {key!r} must be {type_name(expected[key])}; received {value!r}."
            )
    for key in required:
        if key not in table:
            raise RecipeError(f"{where}: missing key {key!r}.")


# -- what the tables configure ----------------------------------------------------------


def model_classes():
    import ganzoo

    return {
        c.__name__: c
        for c in (ganzoo.GAN, ganzoo.DCGAN, ganzoo.ConditionalGAN, ganzoo.Pix2Pix, ganzoo.CycleGAN)
    }


def model_parameters(cls):
    """The constructor arguments of a model class, including those it passes on."""
    expected = {}
    for klass in cls.__mro__:
        if klass not in model_classes().values():
            break
        expected = {**parameter_types(klass.__init__, skip=("self",)), **expected}
        parameters = inspect.signature(klass.__init__).parameters.values()
        if not any(p.kind == p.VAR_KEYWORD for p in parameters):
            break
    return expected


def data_source(name, where="[data]"):
    from ganzoo.data.sources import SOURCES

    if name not in SOURCES:
        raise RecipeError(f"{where}: unknown source {name!r}. Known sources: {', '.join(SOURCES)}.")
    return SOURCES[name]


SOURCE_ARGUMENTS = ("model", "batch_size", "seed")  # given by `train`, not the recipe


def check_recipe(raw, name, where):
    """A parsed TOML document -> Recipe, or RecipeError naming the problem."""
    check_table(
        raw,
        {"description": str, "model": dict, "data": dict, "train": dict, "eval": dict},
        where,
        required=("description", "model", "data", "train"),
    )
    classes = model_classes()
    model = dict(raw["model"])
    family = model.get("class")
    if family not in classes:
        raise RecipeError(
            f"{where} [model]: 'class' must be one of {', '.join(classes)}; received {family!r}."
        )
    check_table(
        {k: v for k, v in model.items() if k != "class"},
        model_parameters(classes[family]),
        f"{where} [model] ({family})",
    )
    data = dict(raw["data"])
    source = data_source(data.get("source"), f"{where} [data]")
    check_table(
        {k: v for k, v in data.items() if k != "source"},
        {"batch_size": int, **parameter_types(source, skip=SOURCE_ARGUMENTS)},
        f"{where} [data] (source {data['source']!r})",
        required=required_parameters(source, skip=SOURCE_ARGUMENTS),
    )
    train = options(TrainOptions, raw["train"], f"{where} [train]")
    evaluation = options(EvalOptions, raw["eval"], f"{where} [eval]") if "eval" in raw else None
    if evaluation:
        check_claim(evaluation, f"{where} [eval]")
    if train.decay_epochs > train.epochs:
        raise RecipeError(
            f"{where} [train]: decay_epochs ({train.decay_epochs}) is more than epochs "
            f"({train.epochs}); the decay is the last decay_epochs of the epochs. Lower it "
            "too, e.g. --set train.decay_epochs=0."
        )
    return Recipe(name, raw["description"], model, data, train, evaluation)


def check_claim(evaluation, where):
    """The held-out set exists, and the claim's metric is one of its scores."""
    from ganzoo.metrics.held_out import EVAL_DATA, SCORES

    kinds = {name: kind for kind, names in EVAL_DATA.items() for name in names}
    if evaluation.data not in kinds:
        raise RecipeError(
            f"{where}: unknown data {evaluation.data!r}. Known held-out sets: {', '.join(kinds)}."
        )
    scores = SCORES[kinds[evaluation.data]]
    if evaluation.metric not in scores:
        raise RecipeError(
            f"{where}: {evaluation.data!r} gives no score {evaluation.metric!r}. "
            f"It gives: {', '.join(scores)}."
        )


def options(cls, table, where):
    """A `[train]` or `[eval]` table, checked against the dataclass's fields."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    required = [f.name for f in fields if f.default is dataclasses.MISSING]
    check_table(table, {f.name: hints[f.name] for f in fields}, where, required)
    return cls(**table)


def recipe_path(name_or_path):
    """A recipe file: a path, or the name of one in `zoo_configs/` (without `.toml`)."""
    path = pathlib.Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise RecipeError(f"no recipe file at {path}.")
        return path
    candidate = recipes_dir() / f"{name_or_path}.toml"
    if candidate.is_file():
        return candidate
    known = ", ".join(sorted(p.stem for p in recipes_dir().glob("*.toml")))
    raise RecipeError(f"no recipe named {name_or_path!r}; give a .toml file or one of: {known}.")


def shipped_recipes():
    """Name -> first line of the description of every recipe that ships with ganzoo
    (read, not checked: checking a recipe imports its model class and so Keras)."""
    descriptions = {}
    for path in sorted(recipes_dir().glob("*.toml")):
        description = tomllib.loads(path.read_text()).get("description", "")
        descriptions[path.stem] = description.strip().splitlines()[0] if description else ""
    return descriptions


def load_recipe(name_or_path, overrides=None):
    """Reads and checks a recipe.

    Args:
        name_or_path: a `.toml` file, or a recipe name in `zoo_configs/`.
        overrides: optional `{"table.key": value}`, applied before the checks, e.g.
            `{"train.epochs": 1, "data.batch_size": 8}`.

    Returns:
        Recipe.
    """
    path = recipe_path(name_or_path)
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise RecipeError(f"{path}: not valid TOML: {error}.") from None
    for dotted, value in (overrides or {}).items():
        table, _, key = dotted.rpartition(".")
        if table not in ("model", "data", "train", "eval"):
            raise RecipeError(
                f"override {dotted!r}: name a key of a table, as model.filters or train.epochs."
            )
        raw.setdefault(table, {})[key] = value
    return check_recipe(raw, path.stem, str(path))


def parse_override(text):
    """`"train.epochs=3"` -> `("train.epochs", 3)`; the value is read as TOML."""
    key, sep, value = text.partition("=")
    if not sep:
        raise RecipeError(f"--set {text!r}: write table.key=value, e.g. train.epochs=3.")
    try:
        parsed = tomllib.loads(f"value = {value}")["value"]
    except tomllib.TOMLDecodeError:
        parsed = value  # a bare word is a string
    return key.strip(), parsed


def build_model(recipe):
    """The recipe's model, freshly initialised (seeded by `[train] seed`)."""
    import keras

    keras.utils.set_random_seed(recipe.train.seed)
    config = {k: v for k, v in recipe.model.items() if k != "class"}
    return model_classes()[recipe.model["class"]](**config)


def build_data(recipe, model):
    """The recipe's training `tf.data.Dataset`."""
    source = data_source(recipe.data["source"])
    options_ = {k: v for k, v in recipe.data.items() if k not in ("source", "batch_size")}
    return source(
        model, batch_size=recipe.data.get("batch_size", 1), seed=recipe.train.seed, **options_
    )


def claim_result(options, scores, untrained):
    """The recipe's claim, checked: the trained model beats its untrained twin."""
    from ganzoo.metrics.held_out import improvement

    factor = improvement(options.metric, scores[options.metric], untrained[options.metric])
    return {
        "metric": options.metric,
        "trained": scores[options.metric],
        "untrained": untrained[options.metric],
        "better_by": factor,
        "claimed_better_by": options.better_by,
        "holds": factor >= options.better_by,
    }


def rescore_preset(model):
    """Scores a loaded preset again, with the recipe stored in its metadata.

    Returns:
        `(recipe, scores, untrained, claim)`: the checked recipe, the preset's held-out
        scores now, its untrained twin's (the recipe and seed, built and not trained),
        and the recipe's claim between the two (`claim_result`).
    """
    from ganzoo.metrics.held_out import held_out_scores

    metadata = model.preset_metadata
    table = {k: v for k, v in metadata["recipe"].items() if k != "name"}
    recipe = check_recipe(table, metadata["name"], f"{metadata['name']} metadata")
    options = recipe.eval
    scores = held_out_scores(model, options.data, options.num_samples, recipe.train.seed)
    twin = build_model(recipe)
    untrained = held_out_scores(twin, options.data, options.num_samples, recipe.train.seed)
    return recipe, scores, untrained, claim_result(options, scores, untrained)


def preview_examples(recipe, model, dataset):
    """Fixed `(a, b)` examples for a translator's sample grids: 8 held-out ones, or
    without `[eval]` the first training batch. None for generators."""
    import numpy as np

    from ganzoo.metrics.held_out import held_out_examples, model_kind

    if model_kind(model) == "generator":
        return None
    if recipe.eval:
        return held_out_examples(model, recipe.eval.data, count=8)
    batch = next(iter(dataset.take(1)))
    a, b = (batch["A"], batch["B"]) if isinstance(batch, dict) else batch
    return np.asarray(a), np.asarray(b)


def train(recipe, out, verbose="auto"):
    """Trains a recipe with `fit` and writes its preset.

    `out` receives:

        recipe.json            the resolved recipe
        checkpoint/            the training state after each epoch; running the same
                               recipe into the same `out` again resumes from it
        samples/epoch_NNN.png  a preview after each epoch (`preview_images`)
        history.csv            the logs of every epoch
        preset/                the trained model as a preset, with its held-out scores,
                               its untrained twin's and the recipe's claim, checked
        samples.png            the preview of the trained model

    Returns:
        the preset folder.
    """
    import keras

    from ganzoo.callbacks import Checkpoint, SampleGrid, write_atomically
    from ganzoo.images import preview_images, save_image_grid
    from ganzoo.metrics.held_out import held_out_scores
    from ganzoo.presets import save_preset
    from ganzoo.schedules import learning_rate_schedule

    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    resolved = json.dumps(recipe.to_dict(), indent=2) + "\n"
    previous = out / "recipe.json"
    if previous.exists() and previous.read_text() != resolved:
        raise RecipeError(
            f"{out} holds a run of a different recipe ({previous}); resuming it with this "
            "one would mix the two. Give another --out, or delete the folder."
        )
    write_atomically(previous, resolved)

    options = recipe.train
    model = build_model(recipe)
    dataset = build_data(recipe, model)
    steps = options.steps_per_epoch
    if steps:
        dataset = dataset.repeat()  # each epoch takes the next `steps` batches
    else:
        steps = int(dataset.cardinality())
        if steps < 1:
            raise RecipeError(
                f"the {recipe.data['source']!r} data has no known length; set "
                "train.steps_per_epoch (e.g. --set train.steps_per_epoch=1000)."
            )
    model.compile(
        learning_rate=learning_rate_schedule(
            options.lr_policy,
            options.learning_rate,
            steps,
            epochs=options.epochs - options.decay_epochs,
            decay_epochs=options.decay_epochs,
        )
    )
    evaluation, untrained = recipe.eval, None
    if evaluation:
        # The untrained twin is this model before fit: the recipe's seeded initial weights.
        untrained = held_out_scores(model, evaluation.data, evaluation.num_samples, options.seed)
    examples = preview_examples(recipe, model, dataset)

    start = time.perf_counter()
    model.fit(
        dataset,
        epochs=options.epochs,
        steps_per_epoch=steps,
        callbacks=[
            Checkpoint(out / "checkpoint"),
            SampleGrid(out / "samples", num_images=100, seed=options.seed, examples=examples),
            keras.callbacks.CSVLogger(str(out / "history.csv"), append=True),
        ],
        verbose=verbose,
    )
    metadata = {
        "name": recipe.name,
        "description": recipe.description,
        "recipe": recipe.to_dict(),
        "training": {
            "backend": keras.backend.backend(),
            "epochs": options.epochs,
            "steps_per_epoch": steps,
            "seconds_this_run": round(time.perf_counter() - start, 1),
        },
    }
    if evaluation:
        scores = held_out_scores(model, evaluation.data, evaluation.num_samples, options.seed)
        metadata.update(
            scores=scores,
            untrained_scores=untrained,
            claim=claim_result(evaluation, scores, untrained),
        )
    preset = save_preset(model, out / "preset", metadata, overwrite=True)
    images, columns = preview_images(model, examples, num_images=100, seed=options.seed)
    save_image_grid(images, out / "samples.png", columns)
    return preset
