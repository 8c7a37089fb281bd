"""The fixed splits of the offline data sets, by group: every fifth group is "test".

    "train"                      every group but the test ones (what presets train on)
    "test"                       every fifth group: the scores presets report
    "validation"                 the groups after the test ones, a fifth of "train":
                                 to choose settings by, never the test split
    "train_without_validation"   "train" less "validation" (to train while choosing)
    "all"                        every group

A group is what must not straddle two splits: a digit's position within its class
(MNIST-5k), a base letter with its accented forms (fonts), a typeface (typeset digits).
"""

import numpy as np

from ganzoo.errors import InvalidArgumentError

SPLITS = ("train", "test", "validation", "train_without_validation", "all")
TEST_EVERY = 5


def split_mask(groups, split, test_group=0):
    """Boolean mask of the `split` rows, given each row's integer group.

    Groups `g` with `g % TEST_EVERY == test_group` are "test", those with
    `g % TEST_EVERY == test_group + 1` are "validation".
    """
    if split not in SPLITS:
        raise InvalidArgumentError(f"split must be one of {SPLITS}. Received: {split!r}.")
    place = np.asarray(groups) % TEST_EVERY
    is_test = place == test_group
    is_validation = place == (test_group + 1) % TEST_EVERY
    return {
        "train": ~is_test,
        "test": is_test,
        "validation": is_validation,
        "train_without_validation": ~is_test & ~is_validation,
        "all": np.ones_like(is_test),
    }[split]
