import sys

from genxsop_core.cli import main

sys.exit(main())
