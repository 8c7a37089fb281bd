"""The errors ganzoo raises on purpose: one hierarchy, each class a subclass of the
built-in error it refines, so `except ValueError` keeps working.

    GanzooError                      every error below; `except ganzoo.errors.GanzooError`
      InvalidArgumentError(ValueError)   a value that cannot be used: the message names
                                         the argument, what was received, what to pass
        RecipeError                      a recipe file, table or key
        PresetError                      a preset folder, file or handle
      InvalidTypeError(TypeError)        a value of the wrong type
      MissingFileError(FileNotFoundError)  a file or folder that is not there
      ExistingFileError(FileExistsError)   a target that exists, without overwrite=True
      TrainingDivergedError(RuntimeError)  a loss or weight became NaN or infinite
      DownloadError(RuntimeError)        a download host that cannot be reached
      WriteError(OSError)                a file or folder that cannot be written (full
                                         disk, read-only folder, no permission)

The command line prints any of them as one line and exits with status 2.
"""


class GanzooError(Exception):
    """The base of every error ganzoo raises on purpose."""


class InvalidArgumentError(GanzooError, ValueError):
    """A value that cannot be used; the message names it and says what to pass."""


class InvalidTypeError(GanzooError, TypeError):
    """A value of the wrong type; the message names it and says what to pass."""


class RecipeError(InvalidArgumentError):
    """A recipe that cannot be used: the message names the file, table and key."""


class PresetError(InvalidArgumentError):
    """A preset that cannot be loaded; the message names the file and what to do."""


class MissingFileError(GanzooError, FileNotFoundError):
    """A file or folder that is not there; the message names it."""


class ExistingFileError(GanzooError, FileExistsError):
    """A target that exists already, written without overwrite=True."""


class TrainingDivergedError(GanzooError, RuntimeError):
    """A loss or a weight became NaN or infinite; training stopped before saving it."""


class WorkersLostError(GanzooError, RuntimeError):
    """A multi-worker run whose workers lost each other (one died or was cut off)."""


class DownloadError(GanzooError, RuntimeError):
    """A download that cannot start: the host does not answer."""


class WriteError(GanzooError, OSError):
    """A file or folder that cannot be written; nothing was half-written.

    Raised as `WriteError(errno, message)`; shown as the message alone."""

    def __str__(self):
        return self.strerror or super().__str__()
