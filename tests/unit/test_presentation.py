"""The one formatting layer: labels from the catalogue, values by kind, Excel formats, the currency."""
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from genxsop_core.config import Currency, load_currency
from genxsop_core.presentation.fields import FIELDS, field, label, words
from genxsop_core.presentation.numbers import (
    code_label,
    excel_format,
    format_value,
    labelled_codes,
    model_label,
    plural,
    readable,
    show,
)

EURO = Currency("EUR", "€")


@pytest.mark.parametrize("name, shown", [
    ("on_hand", "On hand"), ("below_safety", "Below safety stock"), ("ss_demand", "Safety stock: demand variability"),
    ("why_it_won", "Why it won"), ("scenario_id", "Scenario"), ("money_at_risk", "Money at risk"), ("wape", "WAPE"),
    ("reason_code", "Reason")])
def test_the_issue_s_fields_have_planner_labels(name, shown):
    assert label(name) == shown


def test_an_unknown_field_reads_as_words_and_every_label_is_free_of_snake_case():
    assert words("days_late_sku") == "Days late SKU"
    assert field("some_new_thing").label == "Some new thing" and field("some_new_thing").kind == "text"
    assert all("_" not in f.label for f in FIELDS.values())


def test_money_headers_name_the_currency():
    assert label("money_at_risk", "EUR") == "Money at risk (EUR)"
    assert label("on_hand", "EUR") == "On hand"


@pytest.mark.parametrize("value, kind, shown", [
    (1234567.4, "units", "1,234,567"), (-1234.6, "units", "-1,235"), (68118.2, "money", "€68,118"),
    (-5.0, "money", "-€5"), (1.2, "price", "€1.20"), (0.1799, "percent", "18.0%"), (0.17949, "percent", "17.9%"),
    (7.3612, "ratio", "7.36"), (12, "count", "12"), (12345, "count", "12,345"), (3.25, "weeks", "3.2"),
    (None, "units", ""), (float("nan"), "percent", ""), (np.nan, "money", ""), (pd.NaT, "date", ""),
    (pd.NA, "text", ""), (None, "text", ""), (pd.Timestamp("2026-11-23 00:00:00"), "date", "2026-11-23"),
    (datetime(2026, 11, 23, 0, 0), "datetime", "2026-11-23"),
    (datetime(2026, 11, 23, 14, 5), "datetime", "2026-11-23 14:05"), (date(2026, 11, 1), "month", "Nov 2026"),
    (True, "flag", "Yes"), (42, "id", "42"), (float("inf"), "percent", "∞")])
def test_values_by_kind(value, kind, shown):
    assert format_value(value, kind, EURO) == shown


def test_a_blank_is_never_none_or_nan_text():
    frame = pd.DataFrame({"sku": ["A", None], "on_hand": [1.0, np.nan], "first_stockout": [pd.NaT, pd.NaT],
                          "comment": [None, "ok"]})
    text = readable(frame, EURO).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaT", "<NA>"} & set(text)


def test_plurals():
    assert (plural(1, "SKU"), plural(3, "SKU"), plural(0, "SKU")) == ("1 SKU", "3 SKUs", "0 SKUs")
    assert plural(1204, "resource-period") == "1,204 resource-periods"
    assert plural(1, "entry", "entries") == "1 entry" and plural(2, "entry", "entries") == "2 entries"


def test_model_codes_read_as_the_registry_labels_them():
    assert model_label("combo:croston_sba+prophet+tsb") == "Combination: Croston (SBA) + Prophet + TSB"
    assert model_label("seasonal_naive") == "Seasonal naive"
    assert model_label("auto") == "Auto (best per SKU)"
    assert model_label("someday_model") == "Someday model"


def test_codes_read_as_words():
    assert code_label("stage", "data_gathering") == "Data gathering"
    assert code_label("stage", "pre_sop") == "Pre-S&OP"
    assert code_label("exception", "below_safety") == "Below safety stock"
    assert code_label("reason_code", "PROMO", {"PROMO": "Promotion planned"}) == "PROMO · Promotion planned"
    assert code_label("reason_code", "OLD") == "OLD"
    assert code_label("kpi", "wape") == "Forecast error (WAPE)"
    assert code_label("reason_code", None) == ""


def test_labelled_codes_keep_numbers_as_numbers():
    frame = pd.DataFrame({"model": ["combo:naive+tsb"], "wape": [0.18], "stage": ["demand_review"]})
    out = labelled_codes(frame)
    assert out.model.iloc[0] == "Combination: Naive + TSB" and out.stage.iloc[0] == "Demand review"
    assert out.wape.iloc[0] == 0.18


def test_show_takes_the_kind_from_the_catalogue():
    assert show("wape", 0.1799) == "18.0%"
    assert show("period", pd.Timestamp("2026-01-05")) == "2026-01-05"
    assert show("money_at_risk", 79768.4, EURO) == "€79,768"


def test_excel_formats_by_kind():
    assert excel_format("units") == "#,##0" and excel_format("percent") == "0.0%"
    assert excel_format("money", EURO) == '"€"#,##0' and excel_format("price", Currency("USD", "$")) == '"$"#,##0.00'
    assert excel_format("date") == "yyyy-mm-dd" and excel_format("text") is None


def test_the_currency_setting(monkeypatch):
    monkeypatch.delenv("GENXSOP_CURRENCY", raising=False)
    monkeypatch.delenv("GENXSOP_CURRENCY_SYMBOL", raising=False)
    assert load_currency() == Currency("EUR", "€")
    monkeypatch.setenv("GENXSOP_CURRENCY", "usd")
    assert load_currency() == Currency("USD", "$")
    monkeypatch.setenv("GENXSOP_CURRENCY", "MXN")
    assert load_currency() == Currency("MXN", "MXN")
    monkeypatch.setenv("GENXSOP_CURRENCY_SYMBOL", "Mex$")
    assert load_currency() == Currency("MXN", "Mex$")
    assert format_value(10, "money") == "Mex$10"


def test_a_bad_currency_code_names_the_variable(monkeypatch):
    from genxsop_core.domain.exceptions import ConfigurationError

    monkeypatch.setenv("GENXSOP_CURRENCY", "euro")
    with pytest.raises(ConfigurationError, match="GENXSOP_CURRENCY"):
        load_currency()


def test_scenario_figures_read_as_the_scenario_page_labels_them():
    from genxsop_core.scenarios.levers import SUMMARY_LABELS

    assert {key: label(key) for key in SUMMARY_LABELS} == SUMMARY_LABELS
