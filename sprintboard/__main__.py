"""`python -m sprintboard …` is the `sprintboard` command (how `run` starts its worker)."""

from .cli import main

main()
