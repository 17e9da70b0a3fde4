"""`python -m boxoffice.server` is `boxoffice serve`."""

import sys

from boxoffice.cli import main

raise SystemExit(main(["serve", *sys.argv[1:]]))
