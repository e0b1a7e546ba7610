"""The board: what it shows (query.py, plain data) and how it looks (render.py, with the caches)."""
