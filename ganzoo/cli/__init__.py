"""`ganzoo`: train recipes, and sample, translate, score, export and share presets.

    ganzoo train dcgan_mnist5k --out runs/dcgan       # a recipe of zoo_configs/, or a .toml
    ganzoo report runs/dcgan                           # curves and runs/dcgan/index.html
    ganzoo sample dcgan_mnist5k --n 64 --out grid.png [--html page.html]
    ganzoo translate pix2pix_fonts glyphs/ --out translated/ [--html]
    ganzoo eval cgan_mnist5k [--data mnist5k] [--n 1000] [--json]
    ganzoo export cgan_mnist5k --out serving/cgan [--format onnx] [--uint8] [--test-time-dropout]
    ganzoo import-torch horse2zebra.pth --family cyclegan --out presets/horse2zebra
    ganzoo upload runs/dcgan/preset hf://you/dcgan-mnist
    ganzoo list

`--backend` picks the Keras backend (before or after the command). `train` resumes
from its last checkpoint when run again with the same `--out`. Errors are one line on
stderr and exit status 2 (1: a trained preset misses its recipe's claim; 130: Ctrl-C).
Keras, and so TensorFlow, JAX or torch, is imported only once a command needs it, so
`--help`, `list` and argument errors answer at once.
"""

import argparse
import importlib
import os
import sys

from ganzoo.cli.common import BACKENDS, start_backend
from ganzoo.errors import GanzooError
from ganzoo.interrupts import catch_interrupts, interrupted, interrupts_deferred

# Each command is a module of ganzoo.cli: NAME, HELP, add_arguments(parser), run(args)
# -> exit status or None. Modules that import Keras are imported inside `run` (start-up
# time: `--help`, `list` and argument errors start no backend). The modules themselves
# (NumPy, urllib, ...: a quarter of a second) are imported by `main` once its Ctrl-C
# handler is in place: `python -m ganzoo.cli` imports this package before it runs.
COMMANDS = (
    "train", "report", "sample", "translate", "evaluate", "export", "import_torch", "upload",
    "listing",
)  # fmt: skip


def command_modules():
    """The modules of `COMMANDS`, imported."""
    return [importlib.import_module(f"ganzoo.cli.{name}") for name in COMMANDS]


def parse_args(argv):
    return command_line().parse_args(argv)


def command_line():
    """The `ganzoo` argument parser, every command with its flags."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--backend",
        choices=BACKENDS,
        default=argparse.SUPPRESS,
        help="the Keras backend (default: KERAS_BACKEND, else tensorflow)",
    )
    common.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show TensorFlow's start-up and device logs",
    )
    parser = argparse.ArgumentParser(
        prog="ganzoo", description=__doc__.split("\n")[0], parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for command in command_modules():
        parser_of_command = commands.add_parser(
            command.NAME, help=command.HELP, description=command.HELP, parents=[common]
        )
        command.add_arguments(parser_of_command)
    return parser


def main(argv=None):
    catch_interrupts()  # a Ctrl-C that a library swallows while starting still ends the run
    try:
        with interrupts_deferred():
            commands = {command.NAME: command for command in command_modules()}
    except KeyboardInterrupt:
        print("ganzoo: interrupted", file=sys.stderr)
        return 130
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    backend = getattr(args, "backend", None)
    chosen = os.environ.get("KERAS_BACKEND")
    if not backend and chosen is not None and chosen not in BACKENDS:
        print(
            f"ganzoo: error: KERAS_BACKEND={chosen!r} is not a Keras backend ganzoo runs on; "
            f"set it to one of {', '.join(BACKENDS)}, or pass --backend.",
            file=sys.stderr,
        )
        return 2
    if backend and backend != os.environ.get("KERAS_BACKEND"):
        if "keras" in sys.modules:  # called in a process that has chosen its backend
            env = {**os.environ, "KERAS_BACKEND": backend}
            os.execve(sys.executable, [sys.executable, "-m", "ganzoo.cli", *argv], env)
        os.environ["KERAS_BACKEND"] = backend  # Keras reads it once, when imported
    devices = getattr(args, "devices", None)
    if devices and devices > 1:  # JAX splits a CPU into devices only if told before it starts
        flag = f"--xla_force_host_platform_device_count={devices}"
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flag}".strip()
    try:
        if args.command != "list":
            with interrupts_deferred():  # never thrown into an import: see ganzoo.interrupts
                # what uses TensorFlow where it imports and runs without it
                tensorflow_if_installed = getattr(
                    commands[args.command], "TENSORFLOW_IF_INSTALLED", False
                )
                start_backend(getattr(args, "verbose", False), tensorflow_if_installed)
        return commands[args.command].run(args) or 0
    except KeyboardInterrupt as interrupt:
        end_progress_line(args)
        print(f"ganzoo: {str(interrupt) or 'interrupted'}", file=sys.stderr)
        return 130
    except Exception as error:
        end_progress_line(args)
        if interrupted():  # a Ctrl-C that library code caught, leaving a half-made import
            print("ganzoo: interrupted", file=sys.stderr)
            return 130
        if not isinstance(error, (GanzooError, ValueError, TypeError, OSError, RuntimeError)):
            raise
        message = " ".join(str(error).split()) or type(error).__name__  # one line
        print(f"ganzoo: error: {message}", file=sys.stderr)
        return 2


def command():
    """The `ganzoo` executable: `main()`, then the exit. After a Ctrl-C, libraries may be
    half-imported and their exit handlers fail or wait: the process ends at once."""
    status = main()
    if interrupted():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def end_progress_line(args):
    """Ends the line `fit`'s progress bar was redrawing, so a message starts a new one."""
    if args.command == "train":
        print(flush=True)
