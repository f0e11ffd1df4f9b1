"""Which rows of an editable grid a planner changed: compared column by column, vectorised
(a plan grid holds thousands of rows; comparing them one by one took a second per rerun)."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def _blank(values: pd.Series) -> pd.Series:
    """None, NaN, pd.NA and "" all mean "empty cell"."""
    return values.isna() | values.astype(object).eq("")


def changed_rows(loaded: pd.DataFrame, edited: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of `edited` whose `columns` differ from `loaded` (row by position), with the loaded
    values as `<column>_loaded`. Two empty cells are equal; an empty and a filled one are not."""
    if len(loaded) != len(edited):
        raise ValueError(f"the grid had {len(loaded)} rows and now has {len(edited)}; rows cannot be added "
                         "or deleted here")
    before, after = loaded.reset_index(drop=True), edited.reset_index(drop=True)
    differs = pd.Series(False, index=before.index)
    for column in columns:
        empty_before, empty_after = _blank(before[column]), _blank(after[column])
        same_value = before[column].astype(object).eq(after[column].astype(object))
        differs |= ~((empty_before & empty_after) | (~empty_before & ~empty_after & same_value))
    changed = after[differs]
    return changed.join(before.loc[differs, list(columns)].add_suffix("_loaded"))
