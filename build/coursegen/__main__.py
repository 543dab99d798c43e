import sys

from coursegen.cli import main

sys.exit(main())
