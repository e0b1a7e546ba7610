"""`python -m sprintboard …` is the `sprintboard` command (how `run` starts its worker)."""

from .console import main

main()
