"""The machine-translation client, optional: a LibreTranslate-compatible server (self-hosted) or
DeepL.

LibreTranslate's API: `POST /translate` with JSON {q, source, target, format, api_key} answers
{"translatedText": …} (or {"error": …} with 400/403/429/500); `GET /languages` lists
[{code, name, targets}].

DeepL's API (v2): `POST /v2/translate` with `Authorization: DeepL-Auth-Key <key>` and JSON
{text: [...], target_lang, source_lang?} answers {"translations": [{detected_source_language,
text}]}; errors are 400 (bad request), 403 (bad key), 413 (too large), 429 (too many requests),
456 (quota used up) and 5xx. Free keys end in ":fx" and use api-free.deepl.com.

Only called from the worker (sprintboard/tasks.py), never in a request: the service can be
slow. Without TRANSLATE_URL (LibreTranslate) or TRANSLATE_API_KEY (DeepL) no text ever leaves
this server.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

# Why a call failed, as stored on the translation and shown (translated) to the user.
NOT_CONFIGURED = "not_configured"
RATE_LIMITED = "rate_limited"
TIMEOUT = "timeout"
UNAVAILABLE = "unavailable"
REJECTED = "rejected"
QUOTA = "quota_exceeded"
ERROR_CODES = (NOT_CONFIGURED, RATE_LIMITED, TIMEOUT, UNAVAILABLE, REJECTED, QUOTA)


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

    def supports(self, target: str) -> bool:
        return True  # (what a server translates into is its own setting: it says so when asked)

    def languages(self) -> dict[str, list[str]]:
        """Language code -> the codes it can be translated into."""
        answer = self._call("GET", "/languages", None)
        if not isinstance(answer, list):
            raise TranslateError(UNAVAILABLE, "unexpected /languages answer")
        return {item["code"]: list(item.get("targets", [])) for item in answer if "code" in item}

    def _call(self, method: str, path: str, payload: dict | None):
        return _request(method, self.url + path, payload, {}, self.timeout, _code_of_status)


# DeepL's codes for our languages: English as a target needs a variant; DeepL has no Belarusian
# (a text written in it is sent without source_lang, for DeepL to detect).
DEEPL_SOURCES = {"de": "DE", "en": "EN", "ru": "RU", "uk": "UK"}
DEEPL_TARGETS = {"de": "DE", "en": "EN-GB", "ru": "RU", "uk": "UK"}
DEEPL_PRO = "https://api.deepl.com"
DEEPL_FREE = "https://api-free.deepl.com"


@dataclass
class DeepL:
    api_key: str
    url: str | None = None  # TRANSLATE_URL overrides the address (a proxy, or the tests' server)
    timeout: float = 10.0
    name: str = "deepl"

    @property
    def base(self) -> str:
        return self.url or (DEEPL_FREE if self.api_key.endswith(":fx") else DEEPL_PRO)

    def supports(self, target: str) -> bool:
        return target in DEEPL_TARGETS

    def translate(self, text: str, *, source: str | None, target: str, fmt: str = "text") -> str:
        """`text` in `target` (source None or one DeepL does not know: DeepL detects it)."""
        if target not in DEEPL_TARGETS:
            raise TranslateError(REJECTED, f"DeepL does not translate into {target}")
        payload = {"text": [text], "target_lang": DEEPL_TARGETS[target]}
        if source in DEEPL_SOURCES:
            payload["source_lang"] = DEEPL_SOURCES[source]
        headers = {"Authorization": f"DeepL-Auth-Key {self.api_key}"}
        answer = _request("POST", self.base + "/v2/translate", payload, headers, self.timeout, _deepl_code)
        items = answer.get("translations") if isinstance(answer, dict) else None
        first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
        if not isinstance(first.get("text"), str):
            raise TranslateError(UNAVAILABLE, "no translations[0].text in the answer")
        return first["text"]


def _request(method: str, url: str, payload, headers: dict, timeout: float, code_of: Callable[[int], str]):
    """One JSON call; any failure becomes a TranslateError with a code (`code_of` maps an HTTP
    error status to one)."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read(2_000_000))
    except urllib.error.HTTPError as exc:
        exc.close()
        raise TranslateError(code_of(exc.code), f"HTTP {exc.code}") from None
    except TimeoutError:
        raise TranslateError(TIMEOUT) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise TranslateError(TIMEOUT) from None
        raise TranslateError(UNAVAILABLE, str(exc.reason)) from None
    except (ValueError, OSError) as exc:
        raise TranslateError(UNAVAILABLE, type(exc).__name__) from None


def _deepl_code(status: int) -> str:
    if status == 429:
        return RATE_LIMITED
    if status == 456:
        return QUOTA
    if status in (400, 413):
        return REJECTED
    return UNAVAILABLE  # 403 (a wrong key: the operator's to fix), 5xx


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
    timeout = float(config.get("TRANSLATE_TIMEOUT", 10))
    name = config.get("TRANSLATE_PROVIDER", "libretranslate")
    if name == "deepl":
        key = config.get("TRANSLATE_API_KEY")
        return DeepL(key, url, timeout) if key else None
    if name != "libretranslate" or not url:
        return None  # an unknown provider: off rather than wrong
    return LibreTranslate(url, config.get("TRANSLATE_API_KEY"), timeout)


def is_enabled(target: str | None = None) -> bool:
    """Machine translation is set up (and, given `target`, translates into that language)."""
    client = provider()
    return client is not None and (target is None or client.supports(target))
