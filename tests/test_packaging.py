"""A regular (non-editable) install finds templates, static files and compiled catalogs; the
README's commands are the ones CI runs."""

import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_asset_folder_is_packaged():
    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    packaged = {target.removeprefix("share/sprintboard/") for target in data_files}
    for top in ("templates", "static", "translations"):
        for folder in (ROOT / top).rglob("*"):
            if folder.is_dir() and any(f.is_file() for f in folder.iterdir()):
                relative = str(folder.relative_to(ROOT))
                if relative == "translations" or "__pycache__" in relative:
                    continue
                assert relative in packaged, f"add {relative} to [tool.setuptools.data-files]"


def test_an_installed_wheel_serves_pages(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        cwd=tmp_path,
    )
    wheel = next(tmp_path.glob("sprintboard-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The new environment's own pip: pip run from this environment would uninstall this
    # checkout's (editable) install before installing elsewhere.
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    script = (
        "import sprintboard, sys\n"
        "assert '/venv/' in sprintboard.__file__, sprintboard.__file__\n"
        "app = sprintboard.create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'})\n"
        "from flask_babel import force_locale, gettext\n"
        "with app.test_request_context(), force_locale('de'):\n"
        "    assert gettext('Log in') != 'Log in'\n"
        "client = app.test_client()\n"
        "assert client.get('/static/css/app.css').status_code == 200\n"
        "with app.app_context():\n"
        "    from flask_migrate import upgrade; upgrade()\n"
        "r = client.get('/login')\n"
        "assert r.status_code == 302 and r.headers['Location'].endswith('/setup'), r.status_code\n"
        "assert 'Sprintboard' in client.get('/setup').get_data(as_text=True)\n"
    )
    # Dependencies come from this environment's site-packages (PYTHONPATH does not run .pth
    # files, so the editable install of this checkout stays out of the way).
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    env.pop("DATABASE_URL", None)
    subprocess.run([str(python), "-c", script], check=True, cwd=tmp_path, env=env)


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:3]]
    run, test = blocks
    assert "sprintboard run" in run and "pip install" in run
    assert "pytest" in test and ".[test]" in test
    assert test in (ROOT / ".ci" / "run").read_text()
