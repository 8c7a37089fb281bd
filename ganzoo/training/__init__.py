from ganzoo.training.adversarial import AdversarialModel, Phase
from ganzoo.training.optimizer_group import OptimizerGroup

__all__ = ["AdversarialModel", "OptimizerGroup", "Phase"]
