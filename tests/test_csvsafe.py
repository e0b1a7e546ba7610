import csv
import io

from sprintboard.csvsafe import safe_cell, to_csv


def test_formula_cells_are_neutralised():
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(value) == "'" + value
    assert safe_cell("plain") == "plain"
    assert safe_cell(None) == ""
    assert safe_cell(3) == "3"


def test_to_csv_quotes_and_neutralises():
    text = to_csv(["a", "b"], [["=cmd|' /C calc'!A0", 'say "hi", ok']])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b"], ["'=cmd|' /C calc'!A0", 'say "hi", ok']]
