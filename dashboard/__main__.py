"""`python -m dashboard` is the `kpi-dashboard` command."""
import sys

from .cli import main

sys.exit(main())
