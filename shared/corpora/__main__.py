"""``python -m shared.corpora``: see :mod:`shared.corpora.cli`."""

from shared.corpora.cli import main
from shared.rundir import cli_main

if __name__ == "__main__":
    cli_main(main)
