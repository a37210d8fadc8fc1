"""Settings: defaults, parsing, and one clear line for every bad value."""

from __future__ import annotations

import pytest

from app.config import ConfigError, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/onecode.db")
    assert (settings.host, settings.port, settings.default_locale) == ("127.0.0.1", 5000, "zh")


def test_environment_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "ONECODE_PORT": "8080",
            "ONECODE_HOST": "0.0.0.0",
            "ONECODE_LOG_LEVEL": "debug",
            "ONECODE_DEFAULT_LOCALE": "EN",
            "OTHER_THING": "ignored",
        }
    )
    assert (settings.port, settings.host, settings.log_level, settings.default_locale) == (
        8080,
        "0.0.0.0",
        "DEBUG",
        "en",
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ONECODE_PORT": "http"}, "ONECODE_PORT='http' is not a TCP port"),
        ({"ONECODE_PORT": "70000"}, "expected a number from 1 to 65535"),
        ({"ONECODE_THREADS": "0"}, "ONECODE_THREADS='0' is not valid"),
        ({"ONECODE_LOG_LEVEL": "LOUD"}, "expected one of DEBUG, INFO, WARNING, ERROR"),
        ({"ONECODE_DEFAULT_LOCALE": "fr"}, "expected one of zh, en"),
        ({"ONECODE_LOG_FORMAT": "xml"}, "expected one of text, json"),
        ({"ONECODE_DATABASE_URL": "  "}, "ONECODE_DATABASE_URL is empty"),
        ({"ONECODE_DATABSE_URL": "sqlite://"}, "unknown setting ONECODE_DATABSE_URL"),
    ],
)
def test_bad_values_say_what_is_wrong(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_test_only_settings_are_not_typos() -> None:
    Settings.from_env({"ONECODE_TEST_POSTGRES_URL": "postgresql://x"})


def test_overrides_are_validated_like_the_environment() -> None:
    assert Settings.from_env({}, {"PORT": 1234}).port == 1234
    with pytest.raises(ConfigError, match="unknown setting COLOUR"):
        Settings.from_env({}, {"COLOUR": "blue"})
