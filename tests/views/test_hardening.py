"""Hardening from the outside audit (issue 20): request size, proxies, bad input, busy database."""

from __future__ import annotations

import pytest

from sprintboard import access, create_app


def test_a_huge_anonymous_post_is_refused_before_it_is_read(world, client):
    big = b"x" * (3 * 1024 * 1024)
    r = client.post(
        "/login",
        data=big,
        content_type="application/x-www-form-urlencoded",
        headers={"Accept-Language": "de"},
        csrf=False,
    )
    assert r.status_code == 413
    assert "Die gesendeten Daten sind zu groß." in r.get_data(as_text=True)


def test_the_request_size_limit_is_a_setting(app, world, client):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    r = client.post("/login", data={"email": "a@example.org", "password": "x" * (1024 * 1024)})
    assert r.status_code == 422  # a body under the limit is read and answered as usual


def _address_app(tmp_path, proxies):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.db'}",
            "INSTANCE_PATH": str(tmp_path),
            "TRUST_PROXY": proxies,
        }
    )

    @app.get("/_address")
    @access.public
    def address():
        from flask import request

        return request.remote_addr or ""

    return app


@pytest.mark.parametrize(
    ("proxies", "seen"),
    [(0, "10.0.0.9"), (1, "198.51.100.2"), (2, "203.0.113.1")],
)
def test_only_the_configured_number_of_proxies_is_believed(tmp_path, proxies, seen):
    # The client wrote 203.0.113.1 itself; one proxy added the client's real address (198.51.100.2).
    client = _address_app(tmp_path, proxies).test_client()
    r = client.get(
        "/_address",
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
        headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.2"},
    )
    assert r.get_data(as_text=True) == seen


@pytest.mark.parametrize(("value", "count"), [("", 0), ("0", 0), ("1", 1), ("2", 2), ("true", 1)])
def test_trust_proxy_is_read_as_a_count(monkeypatch, tmp_path, value, count):
    from sprintboard import config

    monkeypatch.setenv("TRUST_PROXY", value)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    assert config.load(tmp_path)["TRUST_PROXY"] == count
    monkeypatch.setenv("TRUST_PROXY", "nginx")
    with pytest.raises(ValueError, match="number of proxies"):
        config.load(tmp_path)
