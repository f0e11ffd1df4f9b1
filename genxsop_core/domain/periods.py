"""Planning buckets: weeks start on Monday, months on the 1st (docs/data-format.md)."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from genxsop_core.domain.exceptions import InvalidInput


def bucket_start(day: date, bucket: str) -> date:
    """The first day of the bucket `day` falls in."""
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    raise InvalidInput(f"bucket {bucket!r} is not a planning bucket; use 'week' or 'month'")


def last_completed_bucket(today: date, bucket: str) -> date:
    """Start of the newest bucket that has fully ended before `today`."""
    current = bucket_start(today, bucket)
    return bucket_start(current - timedelta(days=1), bucket)


def bucket_range(first: date, count: int, bucket: str) -> list[date]:
    """`count` consecutive bucket starts beginning with `first`."""
    freq = "W-MON" if bucket == "week" else "MS"
    return [d.date() for d in pd.date_range(bucket_start(first, bucket), periods=count, freq=freq)]


def bucket_of(starts: pd.Series | pd.DatetimeIndex) -> str:
    """'week' or 'month': the planning bucket a run of bucket starts is in, read from their spacing
    (what a frame of plan rows does not say by itself). One start or none reads as weeks, the default."""
    days = pd.DatetimeIndex(starts).unique().sort_values().to_series().diff().dt.days.dropna()
    return "month" if len(days) and days.median() >= 28 else "week"


def month_coverage(starts: pd.Series | pd.DatetimeIndex, bucket: str) -> pd.DataFrame:
    """Per calendar month that buckets start in: month (its first day), buckets (how many of
    `starts` fall in it), buckets_in_month (how many buckets of that kind start in the month) and
    partial (fewer than all of them).

    The rule every monthly chart and total follows (docs/formulas.md, "Partial months"): a week
    counts in the month it starts in, so a month holds four or five weeks; a month where a series
    has fewer (a plan starting on the last Monday of a month holds one week of it, a plan that
    ends early or history that stops mid-month a few) is partial, and its total is not comparable
    with a whole month's. Under monthly buckets every month is whole."""
    if bucket not in ("week", "month"):
        raise InvalidInput(f"bucket {bucket!r} is not a planning bucket; use 'week' or 'month'")
    counts = pd.DatetimeIndex(starts).unique().to_period("M").value_counts().sort_index()
    months = counts.index.to_timestamp()
    if bucket == "week":  # Mondays in the month: from the first Monday, one every seven days
        first_monday = (7 - months.weekday) % 7
        in_month = (months.days_in_month - first_monday + 6) // 7
    else:
        in_month = pd.Index([1] * len(months))
    frame = pd.DataFrame({"month": months, "buckets": counts.to_numpy(dtype=int),
                          "buckets_in_month": in_month.to_numpy(dtype=int)})
    return frame.assign(partial=frame.buckets < frame.buckets_in_month)
