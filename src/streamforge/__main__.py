"""`python -m streamforge`: the same as the `streamforge` command."""

from streamforge.entry import main

main()
