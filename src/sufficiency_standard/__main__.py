"""`python -m sufficiency_standard` runs the `sufficiency` command."""

from sufficiency_standard.cli import main

main()
