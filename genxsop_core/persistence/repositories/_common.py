"""Helpers every repository shares: fingerprints of aggregates, chunked IN lists."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

_IN_CHUNK = 900  # below SQLite's bound-parameter limit



def fingerprint(session: Session, aggregates: Iterable[Select]) -> str:
    """The results of one-row aggregate queries as one string: cheap to read, and it changes when
    the rows under them change (caches of loaded data are keyed on it)."""
    return "|".join(str(tuple(session.execute(query).one())) for query in aggregates)



def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
