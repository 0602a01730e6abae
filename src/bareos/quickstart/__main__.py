"""``python -m bareos.quickstart``: see :mod:`bareos.quickstart.run`."""

import sys

from .run import main

sys.exit(main())
