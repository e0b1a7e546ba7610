"""Demo and seed data: `sprintboard demo` (demo.py, with board.py and match.py) and the
toolbox's methods (toolbox.json)."""
