"""Writing the audit trail: every event a service publishes becomes an append-only audit row,
in the same transaction as the write it records (registered on the bus by the unit of work)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from genxsop_core.domain.events import DataImported, Event, RecordChanged
from genxsop_core.domain.models import AuditLog

MAX_CHANGES_PER_IMPORT_RECORD = 5000


def audit_record_for(event: Event) -> AuditLog | None:
    """Translate an event into the append-only audit row it deserves (None: not audited)."""
    if isinstance(event, RecordChanged):
        return AuditLog(at=event.at, username=event.actor, action=event.action,
                        entity=event.entity, key=event.key, before=event.before, after=event.after)
    if isinstance(event, DataImported):
        changes = event.changes[:MAX_CHANGES_PER_IMPORT_RECORD]
        return AuditLog(
            at=event.at, username=event.actor, action="import", entity=event.kind, key=event.file,
            before={"rows": [c["before"] for c in changes if c.get("before") is not None]},
            after={
                "inserted": event.inserted, "updated": event.updated, "unchanged": event.unchanged,
                "changes_recorded": len(changes), "changes_total": len(event.changes),
                "rows": [c["after"] for c in changes],
            },
        )
    return None


def write_audit_records(event: Event, session: Session) -> None:
    record = audit_record_for(event)
    if record is not None:
        session.add(record)
