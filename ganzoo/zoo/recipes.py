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
import inspect
import math
import pathlib

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ganzoo.resources import recipes_dir
from ganzoo.zoo.schema import (
    RecipeError,
    check_table,
    options,
    parameter_types,
    required_parameters,
)


@dataclasses.dataclass(frozen=True)
class TrainOptions:
    """`[train]`: how `fit` runs.

    Args:
        epochs: passes over the training data.
        learning_rate: Adam's initial rate for D and G (beta_1 0.5). Defaults to 2e-4.
        discriminator_learning_rate: D's own rate, for two time-scale updates (TTUR,
            Heusel et al., 2017: e.g. 4e-4 for D and 1e-4 for G); the same
            `lr_policy` applies. Defaults to None (`learning_rate`).
        lr_policy: `ganzoo.schedules` policy. Defaults to "constant".
        decay_epochs: with "linear", the last epochs, over which the rate falls to 0
            (the reference's `--n_epochs_decay`; the others are `--n_epochs`).
        steps_per_epoch: batches per epoch. Defaults to the whole data set.
        seed: seeds the weights, the data order and the latents. Defaults to 0.
        checkpoint_every_steps: also checkpoint after every this many steps within an
            epoch (a kill then loses at most that many). Defaults to None (at the end
            of each epoch).
        checkpoint_every_minutes: also checkpoint within an epoch once this many
            minutes have passed since the last checkpoint. Defaults to None.
        precision: the Keras dtype policy the model is built and trained under:
            "float32", "mixed_bfloat16" (bfloat16 compute, float32 weights) or
            "mixed_float16" (float16 compute, each optimizer wrapped in a
            `LossScaleOptimizer`). Generator outputs, losses and the saved preset are
            float32 either way. Defaults to "float32".
    """

    epochs: int
    learning_rate: float = 2e-4
    discriminator_learning_rate: float | None = None
    lr_policy: str = "constant"
    decay_epochs: int = 0
    steps_per_epoch: int | None = None
    seed: int = 0
    checkpoint_every_steps: int | None = None
    checkpoint_every_minutes: float | None = None
    precision: str = "float32"


PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


@dataclasses.dataclass(frozen=True)
class EvalOptions:
    """`[eval]`: the held-out data, and the claim a trained model must make good.

    Args:
        data: a name of `ganzoo.metrics.EVAL_DATA` (e.g. "mnist5k", "font_pairs").
        metric: the score the claim is about (e.g. "frechet_distance").
        better_by: the trained model's `metric` must be better than its untrained
            twin's (same recipe and seed, no training) by this factor: untrained /
            trained for scores where lower is better, trained / untrained otherwise.
        within_floor: optional, generators only: the trained model's `metric` must also
            be within this factor of real data's own (the floor: real training digits
            in place of samples, `ganzoo.metrics.held_out.real_data_scores`): trained /
            floor for scores where lower is better, floor / trained otherwise.
        num_samples: generated samples for generator scores; for translators, the
            held-out examples scored (the first of the split). Defaults to 1000.
        every_epochs: during training, score on the held-out set every this many
            epochs (and after the last), for the score curves of the run's report.
            Defaults to None: about ten times a run (every `epochs // 10` epochs, at
            least 1). 0: only the untrained twin and the trained model.
    """

    data: str
    metric: str
    better_by: float
    within_floor: float | None = None
    num_samples: int = 1000
    every_epochs: int | None = None


@dataclasses.dataclass(frozen=True)
class DistributionOptions:
    """`[distribution]`: the devices `fit` trains on, data-parallel.

    `[data] batch_size` is the global batch: each of the `devices * workers` devices
    takes `batch_size / (devices * workers)` examples of it, and the gradients are
    those of the whole batch. JAX (`keras.distribution.DataParallel`) and TensorFlow
    (`MirroredStrategy`, `MultiWorkerMirroredStrategy`); the torch backend refuses
    more than one device.

    Args:
        devices: devices of each machine (GPUs, else logical CPUs split from the CPU).
            Defaults to 1.
        workers: processes, one per machine, that train together; their addresses
            are given when the run starts (`ganzoo train --cluster`). Worker 0, the
            chief, writes the run's files. Defaults to 1.
    """

    devices: int = 1
    workers: int = 1


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A checked recipe; `model` and `data` keep their tables as dicts."""

    name: str
    description: str
    model: dict
    data: dict
    train: TrainOptions
    eval: EvalOptions | None = None
    distribution: DistributionOptions = DistributionOptions()

    def to_dict(self):
        """The recipe as plain data (for `recipe.json` and a preset's metadata)."""
        return dataclasses.asdict(self)


# The smallest value of each number a recipe sets (None: any value allowed); floats
# must also be finite. Checked when the recipe is read, before anything is built.
LEAST = {
    "devices": 1,
    "workers": 1,
    "epochs": 1,
    "learning_rate": 0.0,  # exclusive: a rate of 0 trains nothing
    "discriminator_learning_rate": 0.0,  # exclusive
    "decay_epochs": 0,
    "steps_per_epoch": 1,
    "seed": 0,
    "checkpoint_every_steps": 1,
    "checkpoint_every_minutes": 0.0,  # exclusive
    "better_by": 0.0,  # exclusive
    "num_samples": 8,  # KID's blocks and the neighbourhoods of precision / recall need 8
    "every_epochs": 0,
}
EXCLUSIVE = (
    "learning_rate",
    "discriminator_learning_rate",
    "better_by",
    "checkpoint_every_minutes",
)


def check_values(options, where):
    """Raises RecipeError for a number of `options` out of its range (`LEAST`)."""
    for field in dataclasses.fields(options):
        value, least = getattr(options, field.name), LEAST.get(field.name)
        if least is None or value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise RecipeError(f"{where}: {field.name} must be a finite number; received {value}.")
        if value < least or (value == least and field.name in EXCLUSIVE):
            bound = f"more than {least:g}" if field.name in EXCLUSIVE else f"at least {least}"
            raise RecipeError(f"{where}: {field.name} must be {bound}; received {value}.")


# -- what the tables configure ----------------------------------------------------------


def model_families():
    """Class name -> model class, for `[model] class`."""
    from ganzoo.models import FAMILIES  # local: Keras starts a backend; `ganzoo list` needs none

    return FAMILIES


def model_parameters(cls):
    """The constructor arguments of a model class, including those it passes on."""
    expected = {}
    for klass in cls.__mro__:
        if not klass.__module__.startswith("ganzoo."):  # up to ganzoo's base class
            break
        expected = {**parameter_types(klass.__init__, skip=("self",)), **expected}
        parameters = inspect.signature(klass.__init__).parameters.values()
        if not any(p.kind == p.VAR_KEYWORD for p in parameters):
            break
    return expected


def check_counts(table, cls, where):
    """Raises RecipeError for a count below 1 (filters = 0): an integer argument whose
    default is a positive integer, except those the class may take as 0
    (`counts_from_zero`, e.g. CycleGAN's pool_size)."""
    for klass in cls.__mro__:
        if not klass.__module__.startswith("ganzoo."):
            break
        for parameter in inspect.signature(klass.__init__).parameters.values():
            default, value = parameter.default, table.get(parameter.name)
            counted = type(default) is int and default >= 1 and type(value) is int
            least = 0 if parameter.name in getattr(cls, "counts_from_zero", ()) else 1
            if counted and value < least:
                raise RecipeError(
                    f"{where}: {parameter.name} must be at least {least}; received {value}."
                )


def data_sources():
    """Source name -> source function, for `[data] source`."""
    from ganzoo.data.sources import SOURCES  # local: imports Keras, as model_families

    return SOURCES


def data_source(name, where="[data]"):
    """The source function a recipe names, or RecipeError listing the known ones."""
    sources = data_sources()
    if not isinstance(name, str) or name not in sources:
        raise RecipeError(f"{where}: unknown source {name!r}. Known sources: {', '.join(sources)}.")
    return sources[name]


def given_by_the_run(source):
    """A source's positional arguments (batch size, seed, image size, labels): the
    training run passes them; the recipe sets only the keyword-only options."""
    parameters = inspect.signature(source).parameters.values()
    return tuple(p.name for p in parameters if p.kind is not p.KEYWORD_ONLY)


def check_recipe(raw, name, where):
    """A parsed TOML document -> Recipe, or RecipeError naming the problem."""
    check_table(
        raw,
        {
            "description": str,
            "model": dict,
            "data": dict,
            "train": dict,
            "eval": dict,
            "distribution": dict,
        },
        where,
        required=("description", "model", "data", "train"),
    )
    classes = model_families()
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
    check_counts(model, classes[family], f"{where} [model] ({family})")
    data = dict(raw["data"])
    source = data_source(data.get("source"), f"{where} [data]")
    check_table(
        {k: v for k, v in data.items() if k != "source"},
        {"batch_size": int, **parameter_types(source, skip=given_by_the_run(source))},
        f"{where} [data] (source {data['source']!r})",
        required=required_parameters(source, skip=given_by_the_run(source)),
    )
    train = options(TrainOptions, raw["train"], f"{where} [train]")
    evaluation = options(EvalOptions, raw["eval"], f"{where} [eval]") if "eval" in raw else None
    check_values(train, f"{where} [train]")
    if train.precision not in PRECISIONS:
        raise RecipeError(
            f"{where} [train]: precision must be one of {', '.join(PRECISIONS)}; "
            f"received {train.precision!r}."
        )
    compiles = inspect.signature(classes[family].compile).parameters
    if train.discriminator_learning_rate and "discriminator_learning_rate" not in compiles:
        raise RecipeError(
            f"{where} [train]: a {family} has no discriminator; remove "
            "discriminator_learning_rate (learning_rate sets its optimizer's rate)."
        )
    if evaluation:
        check_values(evaluation, f"{where} [eval]")
        check_claim(evaluation, f"{where} [eval]")
    distribution = options(
        DistributionOptions, raw.get("distribution", {}), f"{where} [distribution]"
    )
    check_values(distribution, f"{where} [distribution]")
    batch_size = data.get("batch_size", 1)
    replicas = distribution.devices * distribution.workers
    if batch_size % replicas:
        raise RecipeError(
            f"{where}: [data] batch_size ({batch_size}) is the global batch, split evenly "
            f"between the {replicas} devices of [distribution] (devices "
            f"{distribution.devices} x workers {distribution.workers}); make it a "
            f"multiple of {replicas}, e.g. --set data.batch_size="
            f"{replicas * max(1, batch_size // replicas)}."
        )
    if distribution.workers > 1 and train.checkpoint_every_minutes is not None:
        raise RecipeError(
            f"{where}: [train] checkpoint_every_minutes with {distribution.workers} workers: "
            "every worker must save at the same step, and their clocks differ. Use "
            "checkpoint_every_steps instead."
        )
    if train.decay_epochs > train.epochs:
        raise RecipeError(
            f"{where} [train]: decay_epochs ({train.decay_epochs}) is more than epochs "
            f"({train.epochs}); the decay is the last decay_epochs of the epochs. Lower it "
            "too, e.g. --set train.decay_epochs=0."
        )
    return Recipe(name, raw["description"], model, data, train, evaluation, distribution)


def check_claim(evaluation, where):
    """The held-out set exists, and the claim's metric is one of its scores."""
    from ganzoo.metrics.held_out import EVAL_DATA, SCORES  # local: as model_families

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
    if evaluation.within_floor is not None and kinds[evaluation.data] != "generator":
        raise RecipeError(
            f"{where}: within_floor is for generators; the floor of {evaluation.data!r} is "
            "a perfect score. Leave within_floor out."
        )


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
        if table not in ("model", "data", "train", "eval", "distribution"):
            raise RecipeError(
                f"override {dotted!r}: name a key of a table, as model.filters or train.epochs."
            )
        raw.setdefault(table, {})[key] = value
    return check_recipe(raw, path.stem, str(path))


def recipe_from_dict(table, where):
    """A recipe written out by `Recipe.to_dict` (a run's `recipe.json`, a preset's
    metadata), checked again."""
    return check_recipe({k: v for k, v in table.items() if k != "name"}, table["name"], where)


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
