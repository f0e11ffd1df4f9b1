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
