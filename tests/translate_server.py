"""A local server speaking LibreTranslate's API contract, for the tests (we can't run the real one).

`POST /translate` takes JSON {q, source, target, format, api_key} and answers
{"translatedText": …} (plus {"detectedLanguage": …} when source is "auto"); errors are
{"error": …} with 400 (bad request), 403 (bad API key), 429 (too many requests) and 500.
`GET /languages` lists [{code, name, targets}]. It "translates" deterministically: the text
with its target language in front, "[de] Привет" — so a test can see what was translated into what.

`mode` switches error answers on: "429", "500", "garbage" (200 with a non-JSON body), "slow"
(holds every answer until `release()` — longer than the client's timeout).
"""

from __future__ import annotations

import json
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

LANGUAGES = [
    {"code": code, "name": name, "targets": ["be", "de", "en", "ru", "uk"]}
    for code, name in [
        ("be", "Belarusian"),
        ("de", "German"),
        ("en", "English"),
        ("ru", "Russian"),
        ("uk", "Ukrainian"),
    ]
]
CODES = {item["code"] for item in LANGUAGES}


class TranslateServer:
    def __init__(self, api_key: str | None = None):
        self.api_key = api_key
        self.mode = "ok"
        self.requests: list[dict] = []
        self._released = threading.Event()
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="translate", daemon=True
        )
        self._stopped = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> TranslateServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def release(self) -> None:
        """Let held ("slow") answers go."""
        self._released.set()

    @staticmethod
    def _json(data, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def wsgi(self, environ, start_response):
        request = Request(environ)
        return self.answer(request)(environ, start_response)

    def answer(self, request: Request) -> Response:
        if request.path == "/languages" and request.method == "GET":
            return self._json(LANGUAGES)
        if request.path != "/translate" or request.method != "POST":
            return self._json({"error": "Not Found"}, 404)
        data = request.get_json(silent=True)
        if data is None:  # LibreTranslate also takes form fields
            data = request.form.to_dict()
        self.requests.append(data)
        if self.mode == "slow":
            self._released.wait(30)
            return self._json({"error": "too late"}, 500)
        if self.mode == "429":
            return self._json({"error": "Slowdown: 1 per 1 second"}, 429)
        if self.mode == "500":
            return self._json({"error": "Cannot translate text: model crashed"}, 500)
        if self.mode == "garbage":
            return Response("<html>Bad gateway</html>", status=200, mimetype="text/html")
        if self.api_key is not None and data.get("api_key") != self.api_key:
            return self._json({"error": "Invalid API key"}, 403)
        for name in ("q", "source", "target"):
            if not data.get(name):
                return self._json({"error": f"Invalid request: missing {name} parameter"}, 400)
        source, target = data["source"], data["target"]
        if source != "auto" and source not in CODES:
            return self._json({"error": f"{source} is not supported"}, 400)
        if target not in CODES:
            return self._json({"error": f"{target} is not supported"}, 400)
        answer = {"translatedText": f"[{target}] {data['q']}"}
        if source == "auto":
            answer["detectedLanguage"] = {"confidence": 90.0, "language": "en"}
        return self._json(answer)
