"""Markdown benchmark (run on demand): python tests/bench/bench_markdown.py

Renders 20,000-character bodies — ordinary text, a real agenda with a table and links, and the
inputs that made the parser slow (brackets, emphasis marks, underscores, a 3,000-row table,
links in many paragraphs) — through the app's render_markdown and through the parser alone
(markdown-it-py without the density bound), and prints the median times side by side with the
ratio to ordinary text measured in the same run. (The app also keeps the last 256 rendered
bodies; this measures rendering itself.)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from markdown_it import MarkdownIt  # noqa: E402

from sprintboard.markdown import _render  # noqa: E402

render_markdown = _render.__wrapped__  # every run renders (the app keeps recent bodies)

N = 20_000
AGENDA = "**Agenda**\n\n| Who | What |\n|---|---|\n" + "".join(
    f"| Team {i} | [notes](https://example.org/{i}) and *ideas* |\n" for i in range(60)
)
CASES = {
    "ordinary text": ("Wir planen den Jugendaustausch im Mai. " * 600)[:N],
    "agenda (table, 60 links)": (AGENDA * 4)[:N],
    "[[[[ brackets": "[" * N,
    "*a*a emphasis": "*a" * (N // 2),
    "_a_a underscores": "_a" * (N // 2),
    "3,300-row table": ("|a|b|\n|-|-|\n" + "|x|y|\n" * 3300)[:N],
    "links, one per paragraph": ("[x](http://a.b)\n\n" * 1250)[:N],
}


def median_ms(fn, text, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    base_app = median_ms(render_markdown, CASES["ordinary text"], 5)
    base_raw = median_ms(parser.render, CASES["ordinary text"], 5)
    print(f"{'body (20,000 chars)':28} {'app ms':>9} {'÷text':>7} {'parser alone ms':>16} {'÷text':>7}")
    for name, text in CASES.items():
        app = median_ms(render_markdown, text, 3)
        raw = median_ms(parser.render, text, 1 if name.startswith(("[", "*", "_")) else 3)
        print(f"{name:28} {app:9.1f} {app / base_app:7.1f} {raw:16.1f} {raw / base_raw:7.1f}")


if __name__ == "__main__":
    main()
