"""`python -m streamforge`: the same as the `streamforge` command."""

from streamforge.cli import main

main()
