import sys

from liuhen_verify.cli import main

sys.exit(main())
