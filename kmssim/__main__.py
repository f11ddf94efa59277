"""``python -m kmssim``: the command line (see ``kmssim._cli``)."""

from kmssim._cli import main

raise SystemExit(main())
