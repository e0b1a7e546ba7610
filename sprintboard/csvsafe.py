"""CSV that spreadsheets cannot run: cells that look like formulas are neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, prefixed with ' if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A CSV document (with a header row) whose every cell is formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A formula-safe CSV download (UTF-8 with a BOM, so spreadsheets read Cyrillic correctly)."""
    response = Response("\ufeff" + to_csv(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
