"""The event bus: in-transaction handlers share the session; after-commit ones never undo a write."""
from genxsop_core.domain.events import DataImported, EventBus, RecordChanged


def test_handlers_run_at_their_moment_for_matching_types():
    bus, seen = EventBus(), []
    bus.subscribe(RecordChanged, lambda e, s: seen.append(("tx", e.key, s)), "in_transaction")
    bus.subscribe(DataImported, lambda e: seen.append(("after", e.file)), "after_commit")
    changed = RecordChanged("ann", action="update", entity="user", key="bob")
    imported = DataImported("ann", kind="demand", file="d.csv", inserted=1, updated=0, unchanged=0)
    bus.dispatch_in_transaction([changed, imported], "SESSION")
    bus.dispatch_after_commit([changed, imported])
    assert seen == [("tx", "bob", "SESSION"), ("after", "d.csv")]


def test_a_failing_after_commit_handler_does_not_raise():
    bus, seen = EventBus(), []

    def broken(event):
        raise RuntimeError("mail server down")

    bus.subscribe(RecordChanged, broken, "after_commit")
    bus.subscribe(RecordChanged, lambda e: seen.append(e.key), "after_commit")
    bus.dispatch_after_commit([RecordChanged("ann", action="create", entity="user", key="bob")])
    assert seen == ["bob"]


def test_log_lines_summarise_instead_of_dumping_rows():
    imported = DataImported("ann", kind="demand", file="d.csv", inserted=2, updated=1, unchanged=3,
                            changes=[{"before": None, "after": {"x": i}} for i in range(1000)])
    assert imported.describe() == "import demand from d.csv: 2 new, 1 updated, 3 unchanged"
