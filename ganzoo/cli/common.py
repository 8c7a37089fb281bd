"""What every command shares: starting the backend, argument types, loading a model."""

import argparse
import os
import pathlib
import sys
import tempfile

from ganzoo.errors import MissingFileError
from ganzoo.resources import keras_cache

BACKENDS = ("tensorflow", "jax", "torch")  # jax and torch install with extras of their names
MODEL_HELP = "a preset (name, folder, URL, hf:// or kaggle:// handle) or a .keras file"


def start_backend(verbose, tensorflow_if_installed=False):
    """Imports Keras with its backend, and TensorFlow with it where the backend is
    TensorFlow, or where the command uses it if it imports (`tensorflow_if_installed`:
    on JAX and torch every command runs without it, and what needs it says so in one
    line, `ganzoo.optional`). Keeps compiled programs in ~/.keras/ganzoo_compiled (JAX:
    a second run skips XLA's compilation of the same model and shapes). TensorFlow
    writes its start-up banner and a cuInit error on a machine without CUDA straight to
    file descriptor 2, before any logging setting applies: unless `verbose`, that goes
    to a scratch file, shown only if the import fails."""
    if verbose:  # ganzoo/__init__.py turned TensorFlow's C++ log off unless asked
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    failure, saved = None, os.dup(2)
    with tempfile.TemporaryFile() as log:
        if not verbose:
            os.dup2(log.fileno(), 2)
        try:
            if backend == "tensorflow" or tensorflow_if_installed:
                try:
                    import tensorflow as tf  # local: the point of this function
                except ImportError:
                    if backend == "tensorflow":
                        raise
                else:
                    tf.config.list_physical_devices("GPU")  # the device probe that logs cuInit
            import keras  # noqa: F401  # local: as tensorflow
        except ImportError as error:
            failure = error
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        if failure is None:
            from ganzoo import backend as backends  # local: imports Keras, as above

            backends.use_compilation_cache(keras_cache() / "ganzoo_compiled")
            return
        if getattr(failure, "name", None) != backend:  # not just a backend not installed
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
    hint = f' (pip install "ganzoo[{backend}]")' if backend != "tensorflow" else ""
    print(f"ganzoo: error: the {backend} backend cannot start: {failure}{hint}", file=sys.stderr)
    raise SystemExit(2)


def at_least(least):
    """An argparse type: an integer >= `least` (argparse turns the error into one line)."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer; received {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}; received {value}")
        return value

    return parse


def positive_number(text):
    """An argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number; received {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0; received {text}")
    return value


def class_ids(text):
    """An argparse type: comma-separated class ids (integers >= 0)."""
    parts = text.split(",")
    if not all(part.strip().isdigit() for part in parts):
        raise argparse.ArgumentTypeError(
            f"must be comma-separated class ids (integers from 0), e.g. 3 or 0,1,2; "
            f"received {text!r}"
        )
    return [int(part) for part in parts]


def png_file(text):
    """An argparse type: the path of a .png file to write (not a folder)."""
    path = pathlib.Path(text)
    folder = text.endswith(("/", os.sep)) or path.is_dir()
    if folder or path.suffix.lower() != ".png":
        example = path / "samples.png" if folder else path.with_suffix(".png")
        raise argparse.ArgumentTypeError(
            f"must be a .png file to write, e.g. {example}; received {text!r}"
        )
    return path


def addresses(text):
    """An argparse type: comma-separated HOST:PORT addresses, one per worker."""
    parts = text.split(",")
    for part in parts:
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise argparse.ArgumentTypeError(
                f"must be HOST:PORT,HOST:PORT,... (one per worker, the chief's first); "
                f"received {part!r} in {text!r}"
            )
    if len(parts) < 2:
        raise argparse.ArgumentTypeError(f"names one worker ({text!r}); give every worker's")
    return parts


def load_model(name):
    """A `.keras` file, or a preset by name, folder, URL or hub handle."""
    import keras  # local: imports Keras (start-up time)

    from ganzoo.models import from_preset  # registers the classes for .keras files too

    if str(name).endswith(".keras"):
        if not pathlib.Path(name).is_file():
            raise MissingFileError(f"no model file at {name}")
        return keras.saving.load_model(name)
    return from_preset(name)


def print_table(entries):
    width = max(map(len, entries))
    for key, value in entries.items():
        shown = f"{value:.4f}" if isinstance(value, float) else value
        print(f"{key:<{width}}  {shown}")
