"""Settings from the environment, with defaults that run the demo."""
import pytest

from genxsop_core.config import DEFAULT_SQLITE_PATH, load_settings
from genxsop_core.domain.exceptions import ConfigurationError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("GENXSOP_DATABASE_URL", "GENXSOP_BUCKET", "GENXSOP_COOKIE_KEY", "GENXSOP_DEMO",
                 "GENXSOP_CHRONOS_MODEL", "GENXSOP_DASK_SCHEDULER"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_run_the_demo_on_sqlite():
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert (settings.bucket, settings.demo, settings.cookie_key) == ("week", True, None)
    assert settings.chronos_model == "amazon/chronos-2" and settings.dask_scheduler is None


def test_demo_is_off_by_default_on_postgresql(monkeypatch):
    monkeypatch.setenv("GENXSOP_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert load_settings().demo is False
    monkeypatch.setenv("GENXSOP_DEMO", "yes")
    assert load_settings().demo is True


@pytest.mark.parametrize("name, value", [("GENXSOP_BUCKET", "day"), ("GENXSOP_DEMO", "perhaps")])
def test_bad_values_name_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        load_settings()
