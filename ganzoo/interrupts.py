"""Ctrl-C that is never lost.

Python raises a Ctrl-C as `KeyboardInterrupt` wherever the main thread is. Library code
that catches every exception (a bare `except:` while a backend imports, a callback JAX
runs during garbage collection) can swallow it, and the command would go on as if no
key was pressed. `catch_interrupts()` installs a handler that also notes the press;
`raise_if_interrupted()` raises it again at the next safe point (after the backend
starts, before training), so a swallowed Ctrl-C still ends the command. Inside
`interrupts_deferred()` (while backends import) a press is only noted: a
`KeyboardInterrupt` thrown into a C extension's half-run initialisation can crash the
interpreter (a segfault, seen once on torch in CI), so it is raised when the block ends.
A press inside a garbage-collection callback (JAX's, which TensorFlow imports too) is
only noted as well: Python would print the interrupt there as an ignored exception,
with its traceback, and drop it.
"""

import contextlib
import gc
import signal
import threading

_pressed = threading.Event()
_deferring = threading.Event()


def _press(signum, frame):
    _pressed.set()
    if not _deferring.is_set() and not in_gc_callback(frame):
        raise KeyboardInterrupt


def in_gc_callback(frame):
    """Whether `frame` runs inside one of `gc.callbacks`."""
    callbacks = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks:
            return True
        frame = frame.f_back
    return False


@contextlib.contextmanager
def interrupts_deferred():
    """Runs the block with Ctrl-C noted but not raised; raises it, if pressed, at the end."""
    _deferring.set()
    try:
        yield
    finally:
        _deferring.clear()
    raise_if_interrupted()


def catch_interrupts():
    """Installs the noting handler for SIGINT (main thread only; elsewhere nothing)."""
    _pressed.clear()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _press)


def interrupted():
    """Whether Ctrl-C was pressed since `catch_interrupts()`."""
    return _pressed.is_set()


def raise_if_interrupted():
    """Raises `KeyboardInterrupt` if Ctrl-C was pressed since `catch_interrupts()`."""
    if _pressed.is_set():
        raise KeyboardInterrupt
