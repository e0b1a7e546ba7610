#!/usr/bin/env python3
"""Resolve git conflict blocks in the given files by keeping both sides (ours, then theirs)."""

import re
import sys

PATTERN = re.compile(r"^<<<<<<< [^\n]*\n(.*?)^=======\n(.*?)^>>>>>>> [^\n]*\n", re.S | re.M)

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(PATTERN.sub(lambda m: m.group(1) + m.group(2), text))
