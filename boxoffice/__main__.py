"""`python -m boxoffice` runs the command line."""

from boxoffice.cli.main import main

raise SystemExit(main())
