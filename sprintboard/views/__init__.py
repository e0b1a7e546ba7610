"""One Blueprint per area; views load and authorise, validate, call one service, commit, respond."""

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` if it is a local path on this site, else `default` (never an open redirect)."""
    fallback = default or url_for("main.index")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
