"""The machine-translation client: a LibreTranslate-compatible server (self-hosted), optional.

LibreTranslate's API: `POST /translate` with JSON {q, source, target, format, api_key} answers
{"translatedText": …} (or {"error": …} with 400/403/429/500); `GET /languages` lists
[{code, name, targets}]. Only called from the worker (sprintboard/tasks.py), never in a request:
the server can be slow. Without TRANSLATE_URL no text ever leaves this server.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import current_app

# Why a call failed, as stored on the translation and shown (translated) to the user.
NOT_CONFIGURED = "not_configured"
RATE_LIMITED = "rate_limited"
TIMEOUT = "timeout"
UNAVAILABLE = "unavailable"
REJECTED = "rejected"
ERROR_CODES = (NOT_CONFIGURED, RATE_LIMITED, TIMEOUT, UNAVAILABLE, REJECTED)


class TranslateError(Exception):
    """The service did not translate; `code` is one of ERROR_CODES."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass
class LibreTranslate:
    url: str
    api_key: str | None = None
    timeout: float = 10.0
    name: str = "libretranslate"

    def translate(self, text: str, *, source: str | None, target: str, fmt: str = "text") -> str:
        """`text` in `target` (source None: the server detects it)."""
        payload = {"q": text, "source": source or "auto", "target": target, "format": fmt}
        if self.api_key:
            payload["api_key"] = self.api_key
        answer = self._call("POST", "/translate", payload)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, str):
            raise TranslateError(UNAVAILABLE, "no translatedText in the answer")
        return translated

    def languages(self) -> dict[str, list[str]]:
        """Language code -> the codes it can be translated into."""
        answer = self._call("GET", "/languages", None)
        if not isinstance(answer, list):
            raise TranslateError(UNAVAILABLE, "unexpected /languages answer")
        return {item["code"]: list(item.get("targets", [])) for item in answer if "code" in item}

    def _call(self, method: str, path: str, payload: dict | None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read(2_000_000))
        except urllib.error.HTTPError as exc:
            exc.close()
            raise TranslateError(_code_of_status(exc.code), f"HTTP {exc.code}") from None
        except TimeoutError:
            raise TranslateError(TIMEOUT) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise TranslateError(TIMEOUT) from None
            raise TranslateError(UNAVAILABLE, str(exc.reason)) from None
        except (ValueError, OSError) as exc:
            raise TranslateError(UNAVAILABLE, type(exc).__name__) from None


def _code_of_status(status: int) -> str:
    if status == 429:
        return RATE_LIMITED
    if status in (400, 401, 403, 413):
        return REJECTED
    return UNAVAILABLE


def provider():
    """The configured provider, or None when machine translation is off."""
    config = current_app.config
    url = config.get("TRANSLATE_URL")
    if not url:
        return None
    if config.get("TRANSLATE_PROVIDER", "libretranslate") != "libretranslate":
        return None  # only LibreTranslate's API for now (see the README)
    return LibreTranslate(url, config.get("TRANSLATE_API_KEY"), float(config.get("TRANSLATE_TIMEOUT", 10)))


def is_enabled() -> bool:
    return provider() is not None
