"""One optimizer per network, presented to Keras as the model's single optimizer."""

import keras


@keras.saving.register_keras_serializable(package="ganzoo")
class OptimizerGroup(keras.optimizers.Optimizer):
    """Owns the optimizers of an adversarial model's networks.

    Keras' trainers know one `model.optimizer`. On JAX only its `variables` are
    threaded through the jitted train step, and `BackupAndRestore` and `.keras` files
    save only its state; so the model's optimizer is this group, whose `variables`
    include every member's. Each member is built on its own network's weights and
    applied by the model's loss phases; the group itself never applies gradients.

    `optimizers` is a list, as Keras' callbacks read a multi-optimizer: TensorBoard
    logs each member's learning rate as `learning_rate_<member name>`. A member is
    looked up by its compile-argument name with `group["d_optimizer"]`.

    Args:
        optimizers: dict, compile-argument name (e.g. `"d_optimizer"`) to a built
            `keras.optimizers.Optimizer`, in the order the phases run.
        name: String. Defaults to `"optimizer_group"`.
    """

    def __init__(self, optimizers, name="optimizer_group"):
        super().__init__(learning_rate=0.0, name=name)
        self.roles = list(optimizers)
        self.optimizers = list(optimizers.values())

    def __getitem__(self, role):
        return self.optimizers[self.roles.index(role)]

    def members(self):
        """Compile-argument name -> optimizer, in the order the phases run."""
        return dict(zip(self.roles, self.optimizers, strict=True))

    @property
    def variables(self):
        return self._variables + [v for opt in self.optimizers for v in opt.variables]

    @property
    def iterations(self):
        """Training steps taken: the iterations of the last phase's optimizer."""
        return self.optimizers[-1].iterations

    def build(self, var_list):
        # Members are built by the model on their own networks' weights.
        super().build([])

    # The members' state is saved under their own names by Keras' saving walk.
    def save_own_variables(self, store):
        for i, variable in enumerate(self._variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        for i, variable in enumerate(self._variables):
            variable.assign(store[str(i)])

    def get_config(self):
        return {
            "name": self.name,
            "optimizers": {
                key: keras.optimizers.serialize(opt) for key, opt in self.members().items()
            },
        }

    @classmethod
    def from_config(cls, config):
        optimizers = {
            key: keras.optimizers.deserialize(opt) for key, opt in config["optimizers"].items()
        }
        return cls(optimizers, name=config["name"])
