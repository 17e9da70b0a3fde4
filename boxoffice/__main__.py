"""`python -m boxoffice` runs the command line."""

from boxoffice.cli import main

raise SystemExit(main())
