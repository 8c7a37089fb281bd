"""The base of every ganzoo model: networks, loss phases, and a train step per backend."""

import dataclasses
from collections.abc import Callable

import keras
from keras import ops

from ganzoo import backend, presets
from ganzoo.arguments import (
    as_count,
    as_flag,
    as_number,
    as_seed,
    first_batch,
    is_data_loader,
    is_tf_dataset,
)
from ganzoo.augment import diff_augment, parse_policy
from ganzoo.blocks.spectral import spectrally_normalized
from ganzoo.errors import InvalidArgumentError
from ganzoo.losses import discriminator_objective
from ganzoo.training.optimizer_group import OptimizerGroup


def step_batch(data):
    """A batch as a data set yields it (images; `(images, labels)`; `(A, B)`;
    `{"A", "B"}`), as backend tensors, from what Keras hands a step: `train_on_batch(x,
    y)` and array inputs arrive as `(x, y, sample_weight)` with Nones, and NumPy arrays
    reach a torch step unconverted."""
    if isinstance(data, (tuple, list)):
        data = tuple(part for part in data if part is not None)
        if len(data) == 1:
            (data,) = data
    return keras.tree.map_structure(ops.convert_to_tensor, data)


def readable_by_keras(x):
    """`x`, or a torch `DataLoader` of dict batches (`{"A", "B"}`) as Keras reads it on
    TensorFlow and JAX: Keras' adapter there makes each batch `tuple(batch)`, which
    of a dict is its keys (keras/src/trainers/data_adapters/torch_data_loader_adapter.py),
    so each batch comes wrapped as `(batch,)`, which Keras unpacks to the dict."""
    if not is_data_loader(x) or keras.backend.backend() == "torch":
        return x
    if not isinstance(first_batch(x), dict):
        return x
    import torch  # local: only a DataLoader gets here, and torch is optional

    class OneTupleBatches(torch.utils.data.DataLoader):
        def __iter__(self):
            return ((batch,) for batch in super().__iter__())

    loader = object.__new__(OneTupleBatches)
    loader.__dict__.update(x.__dict__)  # the same data set, sampler and workers
    return loader


@dataclasses.dataclass(frozen=True)
class Phase:
    """One alternating-optimisation phase of an adversarial game.

    Attributes:
        loss: `loss(data, fakes) -> (scalar loss, {metric name: scalar})`, written once
            with `keras.ops` and stateful layer calls; it runs unchanged on every
            backend. `fakes` is the step's generator output (`generator_forward`).
        variables: the trainable weights this phase updates (of one network, or of
            several trained as one, such as CycleGAN's two generators).
        optimizer: the optimizer that updates them (built on exactly this list).
        repeats: gradient steps per train step (Goodfellow's k for the discriminator).
        through_fakes: whether the phase's gradients flow back through `fakes` into
            `variables` (the generator phase); the other phases see them detached.
    """

    loss: Callable
    variables: list
    optimizer: keras.optimizers.Optimizer
    repeats: int = 1
    through_fakes: bool = False


def trainable_variables(networks):
    """The trainable weights of a tuple of networks, in order."""
    return [v for network in networks for v in network.trainable_variables]


# What a model does, and so which data, scores, previews and serving signatures suit it:
#   "generator"         samples images from latents (and labels): `generate(n, labels, seed)`
#   "translator"        translates source images to targets one way: `translate(images)`
#   "cycle_translator"  translates A -> B and B -> A: `translate(images, direction)`
KINDS = ("generator", "translator", "cycle_translator")
# What a model passes on to `keras.Model` (what its config holds besides its own).
KERAS_MODEL_ARGUMENTS = ("name", "trainable", "dtype")


class AdversarialModel(presets.PresetModel, keras.Model):
    """A `keras.Model` trained by alternating loss phases, on any Keras backend.

    Subclasses build their networks in `__init__`, name the scalars they log in
    `tracked_metrics`, and define their losses. By default the model plays the GAN
    game between `self.discriminator` (`discriminator_loss`, repeated
    `discriminator_steps` times) and `self.generator` (`generator_loss`); a model with
    other networks overrides `optimized_networks()` and `phases()`.

    As in the reference implementations, a train step runs the generator forward once
    (`generator_forward`) and every phase shares its output: the discriminator phase
    sees the fakes detached, the generator phase back-propagates through them (so one
    dropout mask and one batch-norm update per step). A repeated discriminator step
    (k > 1) draws fresh fakes, new noise, for each repeat after the first. `train_step` hands
    the phases to the active backend's adapter (`ganzoo.backend`), so model files
    contain no backend code. `compile` takes one optimizer per phase; they are kept
    in an `OptimizerGroup` so that `.keras` files, `BackupAndRestore` and JAX's
    stateless step all carry every optimizer's state.

    Every family says what it is, once, in its class: `kind` is one of `KINDS`, and
    `trained_generators()` returns its generator networks; `generators()`, the networks
    that sample, translate, score and are exported, are those or, with `ema_decay`,
    their moving averages.

    Every family takes the discriminator's stabilisers (`discriminate`,
    `discriminator_objective`), all off by default:

    Args:
        seed: Integer or None. Seeds the model's noise (latents, image pool,
            interpolation for gradient penalties, augmentation). Defaults to None.
        label_smoothing: alpha of one-sided label smoothing, in [0, 0.5): the real
            samples' target is 1 - alpha (Salimans et al., 2016). For the
            cross-entropy and least-squares objectives. Defaults to 0.
        r1_weight: gamma of the R1 penalty, gamma / 2 * E ||grad_x D(x)||^2 on real
            samples (Mescheder et al., 2018). Defaults to 0.
        instance_noise: standard deviation of Gaussian noise added to every image D
            sees, real and generated, annealed linearly to 0 over
            `instance_noise_steps` discriminator steps (Sonderby et al., 2017).
            Defaults to 0.
        instance_noise_steps: Defaults to 10,000.
        diff_augment: DiffAugment policy applied to every image D sees, real and
            generated, e.g. "color,translation,cutout" (`ganzoo.augment`; Zhao et
            al., 2020). Defaults to "" (none).
        spectral_norm: divide every convolution and dense kernel of the
            discriminator(s) by its largest singular value (Miyato et al., 2018;
            `ganzoo.blocks.spectral`). Defaults to False.
        ema_decay: keep an exponential moving average of each generator's weights,
            w_avg <- d * w_avg + (1 - d) * w after every train step (Yazici et al.,
            2019; Karras et al.), d warmed up from 0.1 (`update_averages`), in a copy
            of the network (`averaged_generators`,
            saved and resumed with the model) that samples, translates, is scored
            and exported. In (0, 1), e.g. 0.999. Defaults to None (no average).
        **kwargs: passed to `keras.Model` (e.g. `name`).
    """

    kind = None  # one of KINDS, set by each family
    networks_training = True  # False while test_step scores a held-out batch
    tracked_metrics = ()
    discriminator_steps = 1

    def __init__(
        self,
        seed=None,
        label_smoothing=0.0,
        r1_weight=0.0,
        instance_noise=0.0,
        instance_noise_steps=10_000,
        diff_augment="",
        spectral_norm=False,
        ema_decay=None,
        **kwargs,
    ):
        unknown = sorted(set(kwargs) - set(KERAS_MODEL_ARGUMENTS))
        if unknown:
            raise InvalidArgumentError(
                f"{type(self).__name__} takes no argument {unknown[0]!r}. See "
                f"help(ganzoo.{type(self).__name__}) for its arguments."
            )
        super().__init__(**kwargs)
        self.seed = as_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self.label_smoothing = as_number(label_smoothing, "label_smoothing", least=0)
        if self.label_smoothing >= 0.5:
            raise InvalidArgumentError(
                f"label_smoothing must be in [0, 0.5) (the real target is 1 - alpha). "
                f"Received: {label_smoothing}."
            )
        self.r1_weight = as_number(r1_weight, "r1_weight", least=0)
        self.instance_noise = as_number(instance_noise, "instance_noise", least=0)
        self.instance_noise_steps = as_count(instance_noise_steps, "instance_noise_steps")
        self.augment_policy = parse_policy(diff_augment)
        self.diff_augment = ",".join(self.augment_policy)
        self.spectral_norm = as_flag(spectral_norm, "spectral_norm")
        self.ema_decay = None if ema_decay is None else as_number(ema_decay, "ema_decay")
        if self.ema_decay is not None and not 0 < self.ema_decay < 1:
            raise InvalidArgumentError(
                f"ema_decay must be in (0, 1), e.g. 0.999, or None. Received: {ema_decay}."
            )
        self.averaged_generators = []
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.tracked_metrics}
        # The networks are functional models, built when constructed; without this
        # flag `fit` would try to build the model by calling it on a data batch.
        self.built = True

    def trained_generators(self):
        """The generator networks the model trains, in serving order."""
        raise NotImplementedError(f"{type(self).__name__} does not name its generators.")

    def generators(self):
        """The generator networks, in serving order: what the model samples or translates
        with, is scored on, and what `ganzoo.export` serves (the first as
        `serving_default`). With `ema_decay`, the moving averages."""
        return tuple(self.averaged_generators) or self.trained_generators()

    def discriminator_network(self, network):
        """`network`, spectrally normalised with `spectral_norm`; each family builds its
        discriminators through this."""
        return spectrally_normalized(network) if self.spectral_norm else network

    def build_averages(self):
        """Copies each trained generator into its moving average (with `ema_decay`);
        each family calls this once its networks are built."""
        if self.ema_decay is None:
            return
        for network in self.trained_generators():
            average = keras.models.clone_model(network)
            average.trainable = False
            average.set_weights(network.get_weights())
            self.averaged_generators.append(average)

    def update_averages(self):
        """w_avg <- d_t * w_avg + (1 - d_t) * w, every weight of each trained generator
        (batch-norm statistics included), after train step t; the backends call it
        after each step. d_t = min(ema_decay, (1 + t) / (10 + t)) warms up as
        `tf.train.ExponentialMovingAverage` with `num_updates` does: early averages
        follow the weights (a few hundred steps of 0.999 would still be the initial,
        grey generator), later ones average over ~1 / (1 - ema_decay) steps."""
        if self.ema_decay is None:
            return
        step = ops.cast(self.optimizer["g_optimizer"].iterations, "float32")
        warm_up = (1.0 + step) / (10.0 + step)
        decay = self.ema_decay - ops.relu(self.ema_decay - warm_up)  # min(ema_decay, warm_up)
        for network, average in zip(
            self.trained_generators(), self.averaged_generators, strict=True
        ):
            for weight, mean in zip(network.weights, average.weights, strict=True):
                d = ops.cast(decay, mean.dtype)
                mean.assign(d * mean + (1.0 - d) * weight)

    # -- training -------------------------------------------------------------------

    def phases(self):
        """The loss phases, in the order one train step runs them.

        By default the GAN game: `discriminator_loss` then `generator_loss`, each over
        the networks of `optimized_networks()`.
        """
        return [
            self.phase("d_optimizer", self.discriminator_loss, self.discriminator_steps),
            self.phase("g_optimizer", self.generator_loss),
        ]

    def phase(self, key, loss, repeats=1):
        """The `Phase` that minimises `loss` over the networks of optimizer `key`;
        "g_optimizer"'s networks make the fakes, so its phase trains through them."""
        return Phase(
            loss,
            trainable_variables(self.optimized_networks()[key]),
            self.optimizer[key],
            repeats,
            through_fakes=key == "g_optimizer",
        )

    def generator_forward(self, data):
        """The generator output of one train step, shared by its phases: a tensor or a
        tuple of tensors, computed in training mode from a data batch."""
        raise NotImplementedError(f"{type(self).__name__} does not define generator_forward.")

    def fakes_for(self, phase, data, shared, repeat):
        """The fakes `phase.loss` sees on its `repeat`-th gradient step: the step's
        shared forward first, a fresh forward on each further repeat; detached unless
        the phase trains through them."""
        fakes = shared if repeat == 0 else self.generator_forward(data)
        if phase.through_fakes:
            return fakes
        return keras.tree.map_structure(keras.ops.stop_gradient, fakes)

    def run_network(self, network, inputs):
        """`network(inputs)` as the running step calls its networks: in training mode in
        `train_step` (batch statistics, dropout), in inference mode in `test_step`."""
        return backend.run_network(network, inputs, self.networks_training)

    def discriminate(self, network, images, *conditions):
        """`network` (`run_network`) on `images` as the discriminator sees them in training:
        through the DiffAugment policy and the annealed instance noise (if any), the
        same for real and generated images; `conditions` (labels) pass unchanged. A
        held-out batch (`test_step`) is scored as it is."""
        if self.networks_training:
            images = self.perturbed(images)
        return self.run_network(network, [images, *conditions] if conditions else images)

    def perturbed(self, images):
        """`images` through the DiffAugment policy and the annealed instance noise."""
        images = diff_augment(images, self.augment_policy, self.seed_generator)
        if self.instance_noise:
            steps = ops.cast(self.optimizer["d_optimizer"].iterations, "float32")
            scale = self.instance_noise * ops.relu(1.0 - steps / self.instance_noise_steps)
            noise = backend.random_normal(ops.shape(images), self.seed_generator)
            images = images + ops.cast(scale, images.dtype) * ops.cast(noise, images.dtype)
        return images

    def discriminator_objective(self, discriminate, real, fake):
        """`ganzoo.losses.discriminator_objective` with the model's objective, gradient
        penalty, label smoothing and R1 weight."""
        return discriminator_objective(
            self.objective,
            discriminate,
            real,
            fake,
            self.seed_generator,
            self.gradient_penalty_weight,
            self.label_smoothing,
            self.r1_weight,
        )

    # -- Keras' entry points, each after the family's data checks ------------------

    def checked_data(self, x, y=None):
        """`x` once checked to fit the model (each family says how), or a one-line
        error before Keras or a backend sees it."""
        return x

    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit`. A `tf.data.Dataset` or torch `DataLoader` is taken in its
        own order: ganzoo's pipelines shuffle with their seed (Keras' default
        `shuffle=True` only warns)."""
        x = readable_by_keras(self.checked_data(x, y))
        if is_tf_dataset(x) or is_data_loader(x):
            kwargs.setdefault("shuffle", False)
        if "validation_data" in kwargs:
            kwargs["validation_data"] = readable_by_keras(kwargs["validation_data"])
        return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        return super().evaluate(readable_by_keras(self.checked_data(x, y)), y, *args, **kwargs)

    def train_on_batch(self, x, y=None, *args, **kwargs):
        return super().train_on_batch(self.checked_batch(x, y), y, *args, **kwargs)

    def test_on_batch(self, x, y=None, *args, **kwargs):
        return super().test_on_batch(self.checked_batch(x, y), y, *args, **kwargs)

    def checked_batch(self, x, y):
        """`checked_data` of one batch, which cannot be None."""
        if x is None:
            raise InvalidArgumentError(
                f"{type(self).__name__} takes a batch: x is None. Give images (and "
                "labels or targets as y), as fit does."
            )
        return self.checked_data(x, y)

    def make_train_function(self, force=False):
        return self.backend_function("train_function", super().make_train_function, force)

    def make_test_function(self, force=False):
        return self.backend_function("test_function", super().make_test_function, force)

    def make_predict_function(self, force=False):
        return self.backend_function("predict_function", super().make_predict_function, force)

    def backend_function(self, name, make, force):
        """Keras' `make(force)` (its train, test or predict function, kept as attribute
        `name`), once, then as the backend runs it (`ganzoo.backend.step_function`)."""
        if getattr(self, name) is None or force:
            make(force)
            setattr(self, name, backend.step_function(self, getattr(self, name)))
        return getattr(self, name)

    def train_step(self, *args):
        phases = self.phases()
        if [p.repeats for p in phases if p.through_fakes] != [1]:
            raise InvalidArgumentError(
                f"{type(self).__name__}.phases() must name exactly one phase that trains "
                "through the fakes (the generator's), with repeats=1."
            )
        return backend.train_step(self, phases, *args[:-1], step_batch(args[-1]))

    def test_step(self, *args):
        """Each phase's loss on a held-out batch, updating nothing (`evaluate`,
        `test_on_batch`, `fit(validation_data=...)`), logged under the names training
        logs: the networks in inference mode (batch norm's moving statistics, no
        dropout), the discriminator shown the images without DiffAugment or instance
        noise, the generator's fresh outputs (no image pool)."""
        return backend.test_step(self, self.held_out_logs, *args[:-1], step_batch(args[-1]))

    def held_out_logs(self, data):
        """The trackers' results after adding each phase's logs on `data` (`test_step`)."""
        self.networks_training = False
        try:
            fakes = self.generator_forward(data)
            for phase in self.phases():
                _, logs = phase.loss(data, fakes)
                self.update_trackers(logs)
        finally:
            self.networks_training = True
        return self.tracker_results()

    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        learning_rate=2e-4,
        discriminator_learning_rate=None,
        **kwargs,
    ):
        """Compiles with one optimizer for the discriminator(s), one for the generator(s).

        Args:
            d_optimizer, g_optimizer: optimizers; each defaults to Adam with
                `learning_rate` and beta_1 0.5 (Radford et al., 2016; the default of
                pix2pix and CycleGAN too), named "d_optimizer" and "g_optimizer".
                TensorBoard logs each one's learning rate under its name
                (`learning_rate_d_optimizer`): give your own optimizers distinct names.
            learning_rate: float or `keras.optimizers.schedules.LearningRateSchedule`
                for the default optimizers, e.g. from `ganzoo.schedules.learning_rate_schedule`
                (each optimizer evaluates it at its own step count). Defaults to 2e-4.
            discriminator_learning_rate: the default d_optimizer's own rate (two
                time-scale updates, TTUR; Heusel et al. 2017). Defaults to
                `learning_rate`.
            **kwargs: passed to `keras.Model.compile` (`jit_compile`,
                `steps_per_execution`, `run_eagerly`). Under the "mixed_float16"
                policy each optimizer is wrapped in a `LossScaleOptimizer` (as Keras'
                `compile` does), unless `auto_scale_loss=False`.
        """
        if self.label_smoothing and self.objective.smoothed_discriminator_loss is None:
            raise InvalidArgumentError(
                f"label_smoothing={self.label_smoothing} needs an objective with a target "
                f"for real samples; {self.objective.name!r} has none. Use it with "
                "'non-saturating', 'minimax' or 'least-squares', or set label_smoothing=0."
            )
        rates = {"d_optimizer": discriminator_learning_rate or learning_rate}
        optimizers = {
            key: given or keras.optimizers.Adam(rates.get(key, learning_rate), beta_1=0.5, name=key)
            for key, given in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer))
        }
        if optimizers["d_optimizer"] is optimizers["g_optimizer"]:
            raise InvalidArgumentError(
                "d_optimizer and g_optimizer are the same object, but an optimizer "
                "keeps per-weight state. Create one optimizer for each."
            )
        if kwargs.pop("auto_scale_loss", True) and self.dtype_policy.name == "mixed_float16":
            # float16 gradients underflow: each optimizer scales its phase's loss.
            optimizers = {
                key: optimizer
                if isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(optimizer, name=f"{key}_loss_scale")
                for key, optimizer in optimizers.items()
            }
        for key, networks in self.optimized_networks().items():
            optimizers[key].build(trainable_variables(networks))
        super().compile(optimizer=OptimizerGroup(optimizers), auto_scale_loss=False, **kwargs)

    def optimized_networks(self):
        """Compile-argument name of each optimizer -> the tuple of networks it updates.

        By default `self.discriminator` and `self.generator`.
        """
        return {"d_optimizer": (self.discriminator,), "g_optimizer": (self.generator,)}

    def get_compile_config(self):
        """Each optimizer's config; None before `compile` (an inference-only save)."""
        if not self.compiled:
            return None
        return {
            key: keras.optimizers.serialize(opt) for key, opt in self.optimizer.members().items()
        }

    def compile_from_config(self, config):
        self.compile(**{key: keras.optimizers.deserialize(c) for key, c in config.items()})

    # -- metrics --------------------------------------------------------------------

    @property
    def metrics(self):
        return list(self.trackers.values())

    def update_trackers(self, logs):
        for name, value in logs.items():
            self.trackers[name].update_state(value)

    def tracker_results(self):
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    # -- saving ---------------------------------------------------------------------

    def seed_states(self):
        """The random-number state of the model and its layers (noise, dropout).

        Keras' saving skips these (`variables` minus `weights`); a resumed run needs
        them to draw new noise instead of replaying the noise already used.
        """
        weights = {id(v) for v in self.weights}
        return [v for v in self.variables if id(v) not in weights]

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for i, state in enumerate(self.seed_states()):
            store[f"seed_state_{i}"] = keras.ops.convert_to_numpy(state)

    def load_own_variables(self, store):
        states = self.seed_states()
        saved = [key for key in store.keys() if key.startswith("seed_state_")]
        if len(saved) != len(states):
            raise InvalidArgumentError(
                f"The file holds {len(saved)} random-number states; this "
                f"{type(self).__name__} has {len(states)}. It was saved from a model "
                "with other networks: build the model from the file's config."
            )
        for i, state in enumerate(states):
            state.assign(store[f"seed_state_{i}"])

    # -- config and presets -----------------------------------------------------------

    def get_config(self):
        return {
            **super().get_config(),
            "seed": self.seed,
            "label_smoothing": self.label_smoothing,
            "r1_weight": self.r1_weight,
            "instance_noise": self.instance_noise,
            "instance_noise_steps": self.instance_noise_steps,
            "diff_augment": self.diff_augment,
            "spectral_norm": self.spectral_norm,
            "ema_decay": self.ema_decay,
        }
