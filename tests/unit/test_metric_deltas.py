"""A metric's delta that reads as zero shows no arrow and no colour (issue 16, item 6)."""
from __future__ import annotations

import pytest

from genxsop_ui.deltas import shown_delta


@pytest.mark.parametrize("text", ["+0", "-0", "+0 (+0.0%)", "-0 (-0.0%)", "+0.0 pts", "+0.00", "+0 days", "", None])
def test_a_delta_that_reads_as_zero_is_no_delta(text):
    assert shown_delta(text) is None


@pytest.mark.parametrize("text", ["+1", "-1,204 (-0.4%)", "+0.1 pts", "-0.02", "+10 days", "+0 (+0.3%)"])
def test_a_delta_that_reads_as_a_change_is_shown_as_is(text):
    assert shown_delta(text) == text
