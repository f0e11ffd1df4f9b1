"""Reading the audit trail (restricted to auditors and admins). It is written by
`persistence.audit_trail`, an event handler inside each unit of work."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from genxsop_core.domain.permissions import Actor, require
from genxsop_core.persistence.repositories import AuditFilter

if TYPE_CHECKING:
    from genxsop_core.persistence.unit_of_work import UnitOfWork

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
