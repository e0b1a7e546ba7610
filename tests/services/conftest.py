import pytest


@pytest.fixture
def ctx(app, db):
    """A request context: services translate their error messages."""
    with app.test_request_context():
        yield
