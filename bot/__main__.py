"""`python -m bot` runs the same CLI as the `pitchfree` command."""

import sys

from bot.cli import main

sys.exit(main())
