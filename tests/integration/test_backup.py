"""Backup and restore through the real CLI, on SQLite and PostgreSQL: the restored database is the
backed-up one, a bad backup file changes nothing, and the restore is audited."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from genxsop_core.admin.audit import search_audit
from genxsop_core.io import exporter, importer
from genxsop_core.persistence.repositories import AuditFilter
from tests.integration.test_cli import cli
from tests.integration.test_import_service import load_all, table_counts


def _state(uow_factory) -> dict[str, pd.DataFrame]:
    return {kind: exporter.export_frame(uow_factory(), kind) for kind in ("products", "demand", "inventory")}


@pytest.fixture
def loaded(database_url, uow_factory, admin):
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (PostgreSQL client tools)")
    load_all(uow_factory, admin)
    return database_url


def test_a_restore_brings_back_exactly_what_was_backed_up(loaded, uow_factory, admin, tmp_path):
    backup_file = tmp_path / "genxsop.backup"
    done = cli(loaded, "backup", str(backup_file))
    assert done.returncode == 0, done.stderr
    assert "backup written" in done.stdout and "3 demand rows" in done.stdout
    saved_state, saved_counts = _state(uow_factory), table_counts(loaded)

    importer.import_file(uow_factory(), admin, "demand", "more.csv",
                         b"sku,period,ordered_qty\nA-1,2025-03-17,999\nB-1,2025-03-03,1\n")
    assert table_counts(loaded) != saved_counts

    refused = cli(loaded, "restore", str(backup_file))
    assert refused.returncode == 1 and "--yes" in refused.stderr
    done = cli(loaded, "restore", str(backup_file), "--yes")
    assert done.returncode == 0, done.stderr
    for kind, frame in _state(uow_factory).items():
        pd.testing.assert_frame_equal(frame, saved_state[kind], check_dtype=False)
    counts = table_counts(loaded)
    assert counts["audit_log"] == saved_counts["audit_log"] + 1  # the restore itself is recorded
    assert {k: v for k, v in counts.items() if k != "audit_log"} == \
        {k: v for k, v in saved_counts.items() if k != "audit_log"}
    (latest, *_) = search_audit(uow_factory(), admin, AuditFilter())
    assert (latest.action, latest.entity, latest.key) == ("restore", "database", "genxsop.backup")


def test_a_file_that_is_not_a_backup_changes_nothing(loaded, uow_factory, tmp_path):
    before = table_counts(loaded)
    for name, content in (("junk.backup", b"not a backup at all"), ("other.db", b"SQLite format 3\x00" + b"\0" * 50)):
        path = tmp_path / name
        path.write_bytes(content)
        done = cli(loaded, "restore", str(path), "--yes")
        assert done.returncode == 1 and done.stderr.startswith("error:") and len(done.stderr.splitlines()) == 1
        assert table_counts(loaded) == before
    missing = cli(loaded, "restore", str(tmp_path / "nowhere.backup"), "--yes")
    assert missing.returncode == 1 and "no backup file" in missing.stderr
