"""Static files: content-hashed names, compressed once (gzip and brotli), served by WhiteNoise.

At start the files of static/ are copied into the instance folder under names that carry a hash
of their content (`css/app.3f2a9c1b7d0e.css`), each beside its `.gz` and `.br` variants, and
`url_for('static', ...)` answers with the hashed name. A hashed URL never changes its content, so
browsers may keep it for a year without asking again (`immutable`); a changed file gets a new name.
Work is done only for files whose content is new, and every write is atomic, so several workers
starting at once do not trip over each other.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
from pathlib import Path

import brotli
from flask import Flask
from whitenoise import WhiteNoise

MAX_AGE = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={MAX_AGE}, immutable"
COMPRESSIBLE = {".css", ".js", ".svg", ".txt", ".json", ".map", ".html"}
_HASHED = re.compile(r"\.[0-9a-f]{12}\.[a-z0-9]+$")


class StaticFiles(WhiteNoise):
    """WhiteNoise with our headers: hashed names immutable for a year, the others revalidated."""

    def add_cache_headers(self, headers, path, url):
        headers["Cache-Control"] = IMMUTABLE if _HASHED.search(url) else "no-cache"

    def add_mime_headers(self, headers, path, url):
        super().add_mime_headers(headers, path, url)
        headers["X-Content-Type-Options"] = "nosniff"


def hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:12]
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{name}.{digest}"


def build(source: Path, target: Path) -> dict[str, str]:
    """Copy source's files into target under hashed names (plus .gz and .br); name -> hashed name."""
    manifest = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        data = path.read_bytes()
        hashed = hashed_name(name, data)
        manifest[name] = hashed
        out = target / hashed
        if out.exists():
            continue  # the same content was built before
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in COMPRESSIBLE:
            _write(out.with_name(out.name + ".gz"), gzip.compress(data, compresslevel=9, mtime=0))
            _write(out.with_name(out.name + ".br"), brotli.compress(data, quality=11))
        _write(out, data)  # last: its existence says the variants are there too
    return manifest


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def init_app(app: Flask) -> None:
    """Build the hashed copies and put WhiteNoise in front of the app for /static/."""
    source = Path(app.static_folder)
    instance = Path(app.config.get("INSTANCE_PATH") or app.instance_path)
    target = Path(app.config.get("STATIC_BUILD_DIR") or instance / "static-build")
    manifest = build(source, target)
    app.extensions["static_manifest"] = manifest

    @app.url_defaults
    def _hashed_static(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.get(values["filename"], values["filename"])

    app.wsgi_app = StaticFiles(
        app.wsgi_app, root=str(target), prefix=app.static_url_path, allow_all_origins=False
    )
