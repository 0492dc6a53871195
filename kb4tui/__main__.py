"""`python -m kb4tui` runs the same command line as the `kb4tui` entry point."""

import sys

from kb4tui.cli import main

sys.exit(main())
