"""`python -m boxoffice` runs the command line."""

import gc

# Loading modules makes many objects and little garbage: the collector's passes over them
# would cost about a fifth of the import time. It is on again before any command runs.
gc.disable()
from boxoffice.cli.main import main  # noqa: E402

gc.enable()
raise SystemExit(main())
