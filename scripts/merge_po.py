#!/usr/bin/env python3
"""git merge driver for .po catalogs: keep every translation from both sides.

    git config merge.po.driver "python3 scripts/merge_po.py %O %A %B"

Entries are matched by msgid (and context); a translation present on only one side is kept,
where both sides translate a message differently ours wins. Run `sprintboard translate update`
after a merge to drop messages that no longer exist.
"""

import sys

from babel.messages.pofile import read_po, write_po


def main(_base: str, ours: str, theirs: str) -> int:
    with open(ours, "rb") as fh:
        merged = read_po(fh)
    with open(theirs, "rb") as fh:
        other = read_po(fh)
    for message in other:
        if not message.id:
            continue
        mine = merged.get(message.id, message.context)
        if mine is None:
            merged[message.id] = message
        elif not _translated(mine) and _translated(message):
            mine.string = message.string
            mine.flags.discard("fuzzy")
    with open(ours, "wb") as fh:
        write_po(fh, merged, width=76, sort_output=True, omit_header=False, no_location=True)
    return 0


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
