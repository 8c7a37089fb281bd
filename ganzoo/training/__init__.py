from ganzoo.training.adversarial import AdversarialModel, Phase
from ganzoo.training.image_pool import ImagePool
from ganzoo.training.optimizer_group import OptimizerGroup
from ganzoo.training.schedules import LinearDecay, learning_rate_schedule

__all__ = [
    "AdversarialModel",
    "ImagePool",
    "LinearDecay",
    "OptimizerGroup",
    "Phase",
    "learning_rate_schedule",
]
