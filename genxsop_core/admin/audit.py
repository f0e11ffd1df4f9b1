"""The audit trail: the handler that writes it and the queries that read it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from genxsop_core.domain.events import DataImported, Event, RecordChanged
from genxsop_core.domain.models import AuditLog
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.persistence.repositories import AuditFilter

if TYPE_CHECKING:
    from genxsop_core.persistence.unit_of_work import UnitOfWork

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


def jsonable(value: Any) -> Any:
    """Dates and numpy scalars as JSON-friendly values for before/after snapshots."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: jsonable(getattr(obj, f)) for f in fields}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    username: str
    action: str
    entity: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def search_audit(uow: UnitOfWork, actor: Actor, filters: AuditFilter, limit: int = 500) -> list[AuditEntry]:
    """Newest first. Reading the trail is itself restricted (it shows everyone's changes)."""
    require(actor, "audit.read")
    with uow:
        return [AuditEntry(r.id, r.at, r.username, r.action, r.entity, r.key, r.before, r.after)
                for r in uow.audit.search(filters, limit)]


def audit_choices(uow: UnitOfWork, actor: Actor) -> dict[str, list[str]]:
    """Distinct users, actions and entities in the trail, for filter drop-downs."""
    require(actor, "audit.read")
    with uow:
        return {c: uow.audit.distinct_values(c) for c in ("username", "action", "entity")}
