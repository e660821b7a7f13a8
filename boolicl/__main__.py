"""``python -m boolicl``."""

import sys

from boolicl import main

sys.exit(main())
