"""`python -m ganzoo.cli`: the `ganzoo` command."""

import sys

from ganzoo.cli import main

sys.exit(main())
