"""`python -m ganzoo.cli`: the `ganzoo` command."""

import sys

from ganzoo.cli import command

sys.exit(command())
