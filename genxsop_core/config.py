"""Settings read from the environment (docs/configuration.md).

Defaults run the demo: SQLite under data/, weekly buckets, demo mode on. Settings are read
fresh by `load_settings()` so tests can change the environment between calls.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from genxsop_core.domain.exceptions import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "genxsop.db"

Bucket = Literal["week", "month"]
# the symbol of common currencies; any other ISO code shows as its code unless GENXSOP_CURRENCY_SYMBOL says
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "CHF": "CHF",
                    "SEK": "kr", "NOK": "kr", "DKK": "kr", "PLN": "zł", "CAD": "CA$", "AUD": "A$", "BRL": "R$"}
DEFAULT_CURRENCY = "EUR"  # the demo company sells in euros (metric packs, a European calendar)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Currency:
    """The currency every money figure is in: its ISO code (headers, "Money at risk (EUR)") and symbol (cells)."""

    code: str = DEFAULT_CURRENCY
    symbol: str = CURRENCY_SYMBOLS[DEFAULT_CURRENCY]


@dataclass(frozen=True)
class Settings:
    """Everything the deployment decides; nothing here is per user."""

    database_url: str
    bucket: Bucket
    cookie_key: str | None
    demo: bool
    chronos_model: str
    dask_scheduler: str | None
    auto_heavy_max_skus: int = 20  # Prophet/Chronos-2 join auto only for runs this small
    forecast_workers: int | None = None  # local processes per run (default: CPU count)
    currency: Currency = Currency()
    # the integration API (genxsop_core.api): the secret its bearer tokens are signed with, how long
    # a token lives, and the largest request body it reads (100,000 actual rows as JSON are ~12 MB)
    api_secret: str | None = None
    api_token_minutes: int = 30
    api_max_body_mb: int = 64

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false)")


def load_settings() -> Settings:
    """Read the environment; a bad value raises ConfigurationError naming the variable."""
    database_url = os.environ.get("GENXSOP_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    bucket = (os.environ.get("GENXSOP_BUCKET") or "week").strip().lower()
    if bucket not in ("week", "month"):
        raise ConfigurationError(f"GENXSOP_BUCKET={bucket!r} must be 'week' or 'month'")
    return Settings(
        database_url=database_url,
        bucket=bucket,  # type: ignore[arg-type]
        cookie_key=os.environ.get("GENXSOP_COOKIE_KEY") or None,
        demo=_flag("GENXSOP_DEMO", default=database_url.startswith("sqlite")),
        chronos_model=os.environ.get("GENXSOP_CHRONOS_MODEL") or "amazon/chronos-2",
        dask_scheduler=os.environ.get("GENXSOP_DASK_SCHEDULER") or None,
        auto_heavy_max_skus=_count("GENXSOP_AUTO_HEAVY_MAX_SKUS", 20),
        forecast_workers=_count("GENXSOP_FORECAST_WORKERS", 0) or None,
        currency=load_currency(),
        api_secret=os.environ.get("GENXSOP_API_SECRET") or None,
        api_token_minutes=_count("GENXSOP_API_TOKEN_MINUTES", 30) or 30,
        api_max_body_mb=_count("GENXSOP_API_MAX_BODY_MB", 64) or 64,
    )


def load_currency() -> Currency:
    """GENXSOP_CURRENCY (an ISO 4217 code, default EUR) and GENXSOP_CURRENCY_SYMBOL (default: the code's
    usual symbol, or the code itself when it has none we know)."""
    code = (os.environ.get("GENXSOP_CURRENCY") or DEFAULT_CURRENCY).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ConfigurationError(f"GENXSOP_CURRENCY={code!r} must be a three-letter currency code such as EUR")
    symbol = (os.environ.get("GENXSOP_CURRENCY_SYMBOL") or "").strip() or CURRENCY_SYMBOLS.get(code, code)
    return Currency(code, symbol)


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isdigit():
        raise ConfigurationError(f"{name}={raw!r} must be a whole number")
    return int(raw)
