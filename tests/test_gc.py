"""The garbage collector's settings (sprintboard.tune_gc): GC_THRESHOLD is applied, a value
that is not numbers is reported and changes nothing, "0" leaves Python's own."""

from __future__ import annotations

import gc
import logging

import pytest
from flask import Flask

from sprintboard import tune_gc


@pytest.fixture
def threshold():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def _app(value) -> Flask:
    app = Flask(__name__)
    app.testing = True
    app.config["GC_THRESHOLD"] = value
    return app


def test_the_threshold_is_applied(threshold):
    tune_gc(_app("12000,12,14"))
    assert gc.get_threshold() == (12000, 12, 14)


@pytest.mark.parametrize("value", ["many", "1,2,3,4", "10000;10"])
def test_a_value_that_is_not_numbers_is_reported_and_changes_nothing(threshold, caplog, value):
    gc.set_threshold(700, 10, 10)
    with caplog.at_level(logging.WARNING):
        tune_gc(_app(value))
    assert gc.get_threshold() == (700, 10, 10)
    assert "GC_THRESHOLD" in caplog.text


def test_zero_leaves_pythons_own(threshold):
    gc.set_threshold(700, 10, 10)
    tune_gc(_app("0"))
    assert gc.get_threshold() == (700, 10, 10)


def test_the_default_makes_collections_rare(app):
    assert gc.get_threshold()[0] >= 10_000
