"""deploy/ and docs/DEPLOY.md agree with each other and with the app: the systemd units pass
`systemd-analyze verify`, every setting the guide names exists, the commands it shows exist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sprintboard import config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUIDE = (ROOT / "docs" / "DEPLOY.md").read_text()
UNITS = ("sprintboard-web.service", "sprintboard-worker.service")


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None and not os.environ.get("CI"), reason="systemd-analyze is missing"
)
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """The units as installed: the paths they name are stubbed in a temporary root."""
    root = tmp_path / "root"
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        for path in set(re.findall(r"(/opt/sprintboard/venv/bin/\w+)", text)):
            stub = root / path.lstrip("/")
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text("#!/bin/sh\n")
            stub.chmod(0o755)
        text = text.replace("/opt/sprintboard/", f"{root}/opt/sprintboard/")
        text = text.replace("EnvironmentFile=/etc/", f"EnvironmentFile=-{root}/etc/")
        (tmp_path / unit).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / u) for u in UNITS]],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "sprintboard" in line and "Failed to create" not in line  # (no /sys/fs/cgroup in CI)
    ]
    assert result.returncode == 0 or not problems, result.stderr
    assert problems == []


@pytest.mark.parametrize("unit", UNITS)
def test_the_units_run_hardened_and_restart(unit):
    text = (DEPLOY / unit).read_text()
    for line in (
        "Restart=on-failure",
        "User=sprintboard",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/sprintboard",
    ):
        assert line in text


def test_every_setting_in_the_guide_and_the_env_file_exists(tmp_path):
    settings = set(config.load(tmp_path).keys()) | {
        "DATABASE_URL",
        "SECRET_KEY",
        "SPRINTBOARD_INSTANCE",
        "PROMETHEUS_MULTIPROC_DIR",
        "SPRINTBOARD_COMPRESS",
    }
    # (gunicorn's own settings: those deploy/gunicorn.conf.py reads)
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    settings |= set(re.findall(r'os\.environ\.get\("([A-Z][A-Z0-9_]+)"', gunicorn))
    assert {"GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_THREADS"} <= settings
    env_file = (DEPLOY / "sprintboard.env.example").read_text()
    named = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", env_file, re.M))
    named |= set(re.findall(r"`([A-Z][A-Z0-9_]{3,})(?:=[^`]*)?`", GUIDE))
    assert named - settings == set()


def test_the_guide_shows_commands_that_exist(app):
    commands = set(app.cli.list_commands(None)) | {"db", "run", "shell", "routes"}
    shown = set(re.findall(r"bin/sprintboard ([a-z][\w-]*)", GUIDE))
    for unit in UNITS:
        shown |= set(re.findall(r"bin/sprintboard ([a-z][\w-]*)", (DEPLOY / unit).read_text()))
    assert {"backup", "restore", "db", "worker"} <= shown
    assert shown - commands == set()
    for unit in UNITS:
        assert f"deploy/{unit}" in GUIDE


def test_nginx_limit_matches_the_apps_upload_limit(tmp_path):
    site = (DEPLOY / "nginx.conf").read_text()
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    upload = config.load(tmp_path)["UPLOAD_MAX_BYTES"]
    assert upload < limit_mb * 1024 * 1024 <= upload + 8 * 1024 * 1024  # one file and its form
    files = config.load(tmp_path)["UPLOAD_MAX_FILES"]
    uploads = re.search(r"attachments\$ \{[^}]*client_max_body_size (\d+)m;", site)
    assert uploads, "the attachment upload routes need their own body limit"
    assert upload * files < int(uploads.group(1)) * 1024 * 1024 <= upload * files + 8 * 1024 * 1024
    assert "proxy_buffering off" in site and "X-Forwarded-For" in site
