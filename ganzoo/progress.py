"""Progress on work outside `fit` that takes more than a few seconds: feature
extraction, sampling and translating many images, export."""

import contextlib
import time

SHOW_AFTER_SECONDS = 2.0  # shorter work shows no bar
quiet_depth = 0  # > 0 within `quiet()`


def in_steps(items, label, unit="batch"):
    """Yields `items`; once they have taken `SHOW_AFTER_SECONDS` and some remain, a
    line `label` and a Keras progress bar (`keras.utils.Progbar`, on stdout as `fit`'s)
    count them to the end. Within `quiet()` no bar is shown.

    Args:
        items: a sequence (its `len` is the bar's length).
        label: what the work is, e.g. "features of 1000 images (digit_classifier logits)".
        unit: the name of one step, for the bar's time per step. Defaults to "batch".
    """
    start, bar = time.monotonic(), None
    for done, item in enumerate(items, 1):
        yield item
        late = time.monotonic() - start > SHOW_AFTER_SECONDS
        if bar is None and late and done < len(items) and not quiet_depth:
            import keras  # local: the command line imports this module before a backend

            print(label, flush=True)
            bar = keras.utils.Progbar(len(items), unit_name=unit)
        if bar is not None:
            bar.update(done)


@contextlib.contextmanager
def quiet():
    """No progress bars within (e.g. an evaluation during `fit`, which has its own)."""
    global quiet_depth
    quiet_depth += 1
    try:
        yield
    finally:
        quiet_depth -= 1
