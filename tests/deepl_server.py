"""A local server speaking DeepL's API contract (v2), for the tests (we can't call DeepL).

`POST /v2/translate` with `Authorization: DeepL-Auth-Key <key>` and JSON {text: [...],
target_lang, source_lang?} (or the same as form fields, `text` repeated) answers
{"translations": [{"detected_source_language", "text"}]}, one per text, in order. Errors as
DeepL's: 400 (missing or unknown parameter), 403 (no or a wrong key), 429 (too many requests),
456 (quota used up), 500; their bodies are {"message": …}. It "translates" deterministically:
"[DE] Привет". `mode` switches errors on as TranslateServer's does, plus "456".
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from tests.translate_server import TranslateServer

SOURCES = {"BG", "CS", "DA", "DE", "EL", "EN", "ES", "ET", "FI", "FR", "RU", "UK", "PL"}
TARGETS = (SOURCES - {"EN"}) | {"EN-GB", "EN-US"}


class DeepLServer(TranslateServer):
    def answer(self, request: Request) -> Response:
        if request.path != "/v2/translate" or request.method != "POST":
            return self._json({"message": "Not found"}, 404)
        if request.is_json:
            data = request.get_json(silent=True) or {}
        else:
            data = {**request.form.to_dict(), "text": request.form.getlist("text")}
        self.requests.append({"authorization": request.headers.get("Authorization"), **data})
        if self.mode == "slow":
            self._released.wait(30)
            return self._json({"message": "too late"}, 500)
        if request.headers.get("Authorization") != f"DeepL-Auth-Key {self.api_key}":
            return self._json({"message": "Authorization failure, check auth_key"}, 403)
        statuses = {
            "429": (429, "Too many requests"),
            "456": (456, "Quota exceeded"),
            "500": (500, "Internal"),
        }
        if self.mode in statuses:
            status, message = statuses[self.mode]
            return self._json({"message": message}, status)
        if self.mode == "garbage":
            return Response("<html>Bad gateway</html>", status=200, mimetype="text/html")
        texts, target, source = data.get("text"), data.get("target_lang"), data.get("source_lang")
        if not texts or not isinstance(texts, list):
            return self._json({"message": "Parameter 'text' not specified."}, 400)
        if target is None:
            return self._json({"message": "Parameter 'target_lang' not specified."}, 400)
        if target.upper() not in TARGETS:
            return self._json({"message": "Value for 'target_lang' not supported."}, 400)
        if source is not None and source.upper() not in SOURCES:
            return self._json({"message": "Value for 'source_lang' not supported."}, 400)
        return self._json(
            {
                "translations": [
                    {
                        "detected_source_language": (source or "EN").upper(),
                        "text": f"[{target.upper()}] {text}",
                    }
                    for text in texts
                ]
            }
        )
