"""Ctrl-C that is never lost.

Python raises a Ctrl-C as `KeyboardInterrupt` wherever the main thread is. Library code
that catches every exception (a bare `except:` while a backend imports, a callback JAX
runs during garbage collection) can swallow it, and the command would go on as if no
key was pressed. `catch_interrupts()` installs a handler that also notes the press;
`raise_if_interrupted()` raises it again at the next safe point (after the backend
starts, before training), so a swallowed Ctrl-C still ends the command.
"""

import signal
import threading

_pressed = threading.Event()


def _press(signum, frame):
    _pressed.set()
    raise KeyboardInterrupt


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
