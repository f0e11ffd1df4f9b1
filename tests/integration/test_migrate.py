"""Migrations on start: several app replicas starting at once all end on the newest schema."""
from __future__ import annotations

import threading

import pytest

from genxsop_core.persistence.migrate import revisions, upgrade_database


@pytest.mark.postgres
def test_replicas_migrating_the_same_empty_database_at_once_all_succeed(tmp_path):
    from tests.conftest import POSTGRES_AVAILABLE, _drop_postgres, _fresh_postgres_url

    if not POSTGRES_AVAILABLE:
        pytest.skip("no PostgreSQL server answers")
    url = _fresh_postgres_url()
    try:
        barrier, outcomes = threading.Barrier(3), []

        def replica() -> None:
            barrier.wait()
            try:
                upgrade_database(url)
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 - the tally is the assertion
                outcomes.append(f"{type(error).__name__}: {error}")

        threads = [threading.Thread(target=replica) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == ["ok"] * 3
        current, head = revisions(url)
        assert current == head
    finally:
        _drop_postgres(url)
