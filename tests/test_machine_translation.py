"""The LibreTranslate client against a local server speaking LibreTranslate's API contract."""

import pytest

from sprintboard.services.machine_translation import DeepL, LibreTranslate, TranslateError, provider


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
        app.config["TRANSLATE_PROVIDER"] = "yandex"  # not spoken: off rather than wrong
        assert provider() is None
        app.config.update(TRANSLATE_PROVIDER="libretranslate", TRANSLATE_URL=None)
        assert provider() is None


# DeepL ---------------------------------------------------------------------------------------


def test_deepl_translates_with_its_key_in_the_header(deepl_server):
    client = DeepL("deepl-key:fx", deepl_server.url, timeout=2)
    assert client.translate("Привет", source="ru", target="de") == "[DE] Привет"
    assert deepl_server.requests == [
        {
            "authorization": "DeepL-Auth-Key deepl-key:fx",
            "text": ["Привет"],
            "target_lang": "DE",
            "source_lang": "RU",
        }
    ]
    # English needs a variant as a target; Belarusian is unknown to DeepL: it detects the source.
    assert client.translate("Прывітанне", source="be", target="en") == "[EN-GB] Прывітанне"
    assert "source_lang" not in deepl_server.requests[-1]
    assert client.translate("Hallo", source=None, target="uk") == "[UK] Hallo"


def test_deepl_cannot_translate_into_belarusian_and_says_so_before_sending_anything(deepl_server):
    client = DeepL("deepl-key:fx", deepl_server.url, timeout=2)
    assert not client.supports("be") and client.supports("uk")
    with pytest.raises(TranslateError) as caught:
        client.translate("Привет", source="ru", target="be")
    assert caught.value.code == "rejected" and deepl_server.requests == []


@pytest.mark.parametrize(
    ("mode", "key", "code"),
    [
        ("ok", "wrong-key", "unavailable"),  # 403: the operator's key is wrong
        ("429", "deepl-key:fx", "rate_limited"),
        ("456", "deepl-key:fx", "quota_exceeded"),
        ("500", "deepl-key:fx", "unavailable"),
        ("garbage", "deepl-key:fx", "unavailable"),
    ],
)
def test_deepl_errors_become_codes(deepl_server, mode, key, code):
    deepl_server.mode = mode
    with pytest.raises(TranslateError) as caught:
        DeepL(key, deepl_server.url, timeout=2).translate("Привет", source="ru", target="de")
    assert caught.value.code == code


def test_deepl_times_out_on_a_slow_answer(deepl_server):
    deepl_server.mode = "slow"
    with pytest.raises(TranslateError) as caught:
        DeepL("deepl-key:fx", deepl_server.url, timeout=0.3).translate("Привет", source="ru", target="de")
    assert caught.value.code == "timeout"


def test_deepl_is_chosen_by_provider_and_key_and_free_keys_use_the_free_host(app):
    with app.app_context():
        app.config.update(TRANSLATE_PROVIDER="deepl", TRANSLATE_URL=None, TRANSLATE_API_KEY=None)
        assert provider() is None  # no key: off, and nothing leaves the server
        app.config["TRANSLATE_API_KEY"] = "abc:fx"
        assert provider().base == "https://api-free.deepl.com"
        app.config["TRANSLATE_API_KEY"] = "abc"
        assert provider().base == "https://api.deepl.com"
        app.config.update(TRANSLATE_PROVIDER="libretranslate", TRANSLATE_API_KEY=None)
