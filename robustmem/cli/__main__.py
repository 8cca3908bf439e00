"""``python -m robustmem.cli``: the same as the ``robustmem`` command."""

import sys

from robustmem.cli import main

sys.exit(main())
