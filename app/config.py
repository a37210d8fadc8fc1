"""Configuration: ``ONECODE_*`` environment variables, validated once, with documented defaults.

Every setting is listed in ``SETTINGS`` (and in docs/CONFIGURATION.md). A value that cannot be
used, or an ``ONECODE_`` name we do not know (usually a typo), stops start-up with one line that
says what is wrong and how to fix it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

PREFIX = "ONECODE_"
REPO_ROOT = Path(__file__).resolve().parents[1]
LOCALES = ("zh", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
# Read by the test suite only; allowed here so that it is not reported as a typo.
TEST_ONLY = frozenset({"ONECODE_TEST_POSTGRES_URL"})


class ConfigError(Exception):
    """A setting is missing, unknown or has a value we cannot use."""


def _port(name: str, raw: str) -> int:
    if not raw.isdecimal() or not 1 <= int(raw) <= 65535:  # noqa: PLR2004  the TCP port range
        raise ConfigError(f"{name}={raw!r} is not a TCP port: expected a number from 1 to 65535")
    return int(raw)


def _positive(name: str, raw: str) -> int:
    if not raw.isdecimal() or int(raw) < 1:
        raise ConfigError(f"{name}={raw!r} is not valid: expected a whole number of at least 1")
    return int(raw)


def _choice(options: tuple[str, ...], *, upper: bool = False) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().upper() if upper else raw.strip().lower()
        if value not in options:
            raise ConfigError(f"{name}={raw!r} is not valid: expected one of {', '.join(options)}")
        return value

    return parse


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in {"true", "false"}:
        raise ConfigError(f"{name}={raw!r} is not valid: expected true or false")
    return value == "true"


def _text(name: str, raw: str) -> str:
    if not raw.strip():
        raise ConfigError(f"{name} is empty: unset it to use the default, or give a value")
    return raw.strip()


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings, with their defaults. Field ``x`` is read from ``ONECODE_X``."""

    database_url: str = f"sqlite:///{REPO_ROOT / 'instance' / 'onecode.db'}"
    host: str = "127.0.0.1"
    port: int = 5000
    threads: int = 8
    default_locale: str = "zh"
    log_level: str = "INFO"
    log_format: str = "text"
    capture_limit: int = 10_000  # events per capture request (GS1-EPCIS-Capture-Limit)
    capture_file_size_limit: int = 64 * 1024 * 1024  # bytes (GS1-EPCIS-Capture-File-Size-Limit)
    capture_inline_limit: int = 1000  # documents up to this many events are captured in the request
    signing_key_file: str = str(REPO_ROOT / "instance" / "ledger-signing.key")
    webhook_allow_private: bool = False  # allow webhook destinations on private/loopback addresses

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        """Read ``ONECODE_*`` variables, then apply ``overrides`` (keys without the prefix).

        Raises:
            ConfigError: an unknown ``ONECODE_`` name, or a value that cannot be used.
        """
        environ = os.environ if environ is None else environ
        known = {PREFIX + f.name.upper() for f in fields(cls)}
        unknown = sorted(k for k in environ if k.startswith(PREFIX) and k not in known | TEST_ONLY)
        if unknown:
            raise ConfigError(
                f"unknown setting {unknown[0]}: expected one of {', '.join(sorted(known))} "
                "(see docs/CONFIGURATION.md)"
            )
        values = {
            f.name: _PARSERS[f.name](PREFIX + f.name.upper(), environ[PREFIX + f.name.upper()])
            for f in fields(cls)
            if PREFIX + f.name.upper() in environ
        }
        settings = cls(**values)
        if overrides:
            settings = settings.with_overrides(overrides)
        return settings

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """A copy with ``overrides`` (``{"DATABASE_URL": …}``) validated like the environment."""
        names = {f.name for f in fields(self)}
        values = {}
        for key, raw in overrides.items():
            name = key.lower()
            if name not in names:
                raise ConfigError(f"unknown setting {key}: expected one of {sorted(names)}")
            values[name] = _PARSERS[name](PREFIX + key.upper(), str(raw))
        return replace(self, **values)


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "database_url": _text,
    "host": _text,
    "port": _port,
    "threads": _positive,
    "default_locale": _choice(LOCALES),
    "log_level": _choice(LOG_LEVELS, upper=True),
    "log_format": _choice(LOG_FORMATS),
    "capture_limit": _positive,
    "capture_file_size_limit": _positive,
    "capture_inline_limit": _positive,
    "signing_key_file": _text,
    "webhook_allow_private": _bool,
}
