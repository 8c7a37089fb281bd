from ganzoo.training.adversarial import AdversarialModel, Phase
from ganzoo.training.image_pool import ImagePool
from ganzoo.training.optimizer_group import OptimizerGroup

__all__ = ["AdversarialModel", "ImagePool", "OptimizerGroup", "Phase"]
