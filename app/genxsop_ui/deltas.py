"""The delta of an st.metric: shown only when it reads as a change."""
from __future__ import annotations

import re

_NONZERO_DIGIT = re.compile(r"[1-9]")


def shown_delta(text: str | None) -> str | None:
    """`text` as st.metric's delta, or None (no arrow, no colour) when it reads as zero.

    Streamlit draws the arrow and its colour from the sign alone, so "+0", "+0.0 pts" or
    "+0 (+0.0%)" (a change that rounds to zero, or none: a scenario with no lever moved) would
    show a green or red arrow on nothing. A delta without a digit other than 0 is no change.
    """
    return text if text and _NONZERO_DIGIT.search(text) else None
