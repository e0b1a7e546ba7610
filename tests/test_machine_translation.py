"""The LibreTranslate client against a local server speaking LibreTranslate's API contract."""

import pytest

from sprintboard.services.machine_translation import LibreTranslate, TranslateError, provider


def test_it_translates_with_the_api_key_and_lists_languages(translate_server):
    client = LibreTranslate(translate_server.url, "test-key", timeout=2)
    assert client.translate("Привет", source="ru", target="de") == "[de] Привет"
    assert translate_server.requests == [
        {"q": "Привет", "source": "ru", "target": "de", "format": "text", "api_key": "test-key"}
    ]
    assert client.translate("Hallo", source=None, target="uk") == "[uk] Hallo"  # source "auto"
    assert translate_server.requests[-1]["source"] == "auto"
    assert set(client.languages()) == {"be", "de", "en", "ru", "uk"}


@pytest.mark.parametrize(
    ("mode", "key", "code"),
    [
        ("500", "test-key", "unavailable"),
        ("429", "test-key", "rate_limited"),
        ("garbage", "test-key", "unavailable"),
        ("ok", "wrong-key", "rejected"),
    ],
)
def test_errors_become_codes(translate_server, mode, key, code):
    translate_server.mode = mode
    with pytest.raises(TranslateError) as caught:
        LibreTranslate(translate_server.url, key, timeout=2).translate("Привет", source="ru", target="de")
    assert caught.value.code == code


def test_a_slow_server_times_out(translate_server):
    translate_server.mode = "slow"
    with pytest.raises(TranslateError) as caught:
        LibreTranslate(translate_server.url, "test-key", timeout=0.3).translate(
            "Привет", source="ru", target="de"
        )
    assert caught.value.code == "timeout"


def test_a_server_that_is_not_there_is_unavailable(translate_server):
    url = translate_server.url
    translate_server.stop()
    with pytest.raises(TranslateError) as caught:
        LibreTranslate(url, None, timeout=2).translate("Привет", source="ru", target="de")
    assert caught.value.code == "unavailable"


def test_only_a_configured_url_turns_it_on(app, translate_server):
    with app.app_context():
        assert provider().url == translate_server.url
        app.config["TRANSLATE_PROVIDER"] = "deepl"  # not spoken yet: off rather than wrong
        assert provider() is None
        app.config.update(TRANSLATE_PROVIDER="libretranslate", TRANSLATE_URL=None)
        assert provider() is None
