"""Service keys for the integration API: an admin creates one per system (an ERP, a BI tool, a script).

A key is shown once, when it is created, and stored only as its SHA-256 (a key is 32 random bytes,
so a plain hash cannot be guessed back, unlike a password). It acts with exactly one role, so
the permission table decides what the system may do, like a person; its writes are audited under
`key:<name>`. Creating and revoking are audited admin writes; an expired or revoked key is refused.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound, Unauthenticated
from genxsop_core.domain.models import ApiKey, utcnow
from genxsop_core.domain.permissions import Actor, require, validate_roles
from genxsop_core.persistence.unit_of_work import UnitOfWork

KEY_PREFIX = "gxk_"  # recognisable in a config file or a leaked log, and by secret scanners
SHOWN_PREFIX_LENGTH = 10  # "gxk_" and six characters: enough to tell one's keys apart in a list
ACTOR_PREFIX = "key:"  # who, in the audit trail and the logs, for a write made with a key
LAST_USE_RESOLUTION = timedelta(minutes=1)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,43}$")


@dataclass(frozen=True)
class ApiKeyView:
    """What screens and the CLI may show of a key (never the key or its hash)."""

    name: str
    prefix: str
    role: str
    client_id: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_by: str
    created_at: datetime

    @property
    def last_day(self) -> date | None:
        """The last day (UTC) the key works, as it was given (`end_of`); None: it does not expire."""
        return (self.expires_at - timedelta(days=1)).date() if self.expires_at else None

    @property
    def actor(self) -> Actor:
        return Actor(f"{ACTOR_PREFIX}{self.name}", (self.role,))

    def status(self, now: datetime | None = None) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and _aware(self.expires_at) <= (now or utcnow()):
            return "expired"
        return "active"


@dataclass(frozen=True)
class CreatedKey:
    view: ApiKeyView
    key: str  # the only time the plain key exists outside the caller's system


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def end_of(day: date) -> datetime:
    """A key 'expiring on' a day works through that day (UTC) and is refused from the next."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def view(key: ApiKey) -> ApiKeyView:
    optional = {name: _aware(value) if value else None for name, value in
                (("expires_at", key.expires_at), ("revoked_at", key.revoked_at),
                 ("last_used_at", key.last_used_at))}
    return ApiKeyView(key.name, key.key_prefix, key.role, key.client_id, created_by=key.created_by,
                      created_at=_aware(key.created_at), **optional)


def _audited(key: ApiKey) -> dict[str, object]:
    return {"name": key.name, "prefix": key.key_prefix, "role": key.role, "client_id": key.client_id,
            "expires_at": key.expires_at.isoformat() if key.expires_at else None,
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None}


def create_key(uow: UnitOfWork, actor: Actor, name: str, role: str, client_id: str | None = None,
               expires_on: date | None = None, today: date | None = None) -> CreatedKey:
    """A new key for `role`; the plain key is in the answer and nowhere else."""
    require(actor, "api_keys.manage")
    name = name.strip()
    if not _NAME.match(name):
        raise InvalidInput(f"key name {name!r} must be 2-44 characters: letters, digits, '.', '_' or '-'")
    (role,) = validate_roles([role])
    client_id = (client_id or "").strip() or None
    if client_id is not None and len(client_id) > 100:
        raise InvalidInput("a client id holds at most 100 characters")
    if expires_on is not None and expires_on < (today or utcnow().date()):
        raise InvalidInput(f"the expiry date {expires_on} has passed")
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_hash=key_hash(plain), key_prefix=plain[:SHOWN_PREFIX_LENGTH], role=role,
                 client_id=client_id, expires_at=end_of(expires_on) if expires_on else None,
                 created_by=actor.username, created_at=utcnow())
    with uow:
        if uow.api_keys.get(name) is not None:
            raise Conflict(f"an API key named {name!r} exists already (revoke it or choose another name)")
        uow.api_keys.add(key)
        uow.publish(RecordChanged(actor.username, action="create", entity="api_key", key=name,
                                  before=None, after=_audited(key)))
        uow.commit()
        return CreatedKey(view(key), plain)


def list_keys(uow: UnitOfWork, actor: Actor) -> list[ApiKeyView]:
    require(actor, "api_keys.manage")
    with uow:
        return [view(k) for k in uow.api_keys.list()]


def revoke_key(uow: UnitOfWork, actor: Actor, name: str) -> ApiKeyView:
    """Refuse the key from now on; the row stays, so the audit trail's `key:<name>` keeps its meaning."""
    require(actor, "api_keys.manage")
    with uow:
        key = uow.api_keys.get(name)
        if key is None:
            raise NotFound(f"no API key named {name!r}")
        if key.revoked_at is not None:
            raise Conflict(f"API key {name!r} was revoked already, at {_aware(key.revoked_at):%Y-%m-%d %H:%M} UTC")
        before = _audited(key)
        key.revoked_at = utcnow()
        uow.publish(RecordChanged(actor.username, action="revoke", entity="api_key", key=name,
                                  before=before, after=_audited(key)))
        uow.commit()
        return view(key)


def authenticate(uow: UnitOfWork, plain: str, now: datetime | None = None) -> ApiKeyView:
    """The key behind `plain`, its use recorded; Unauthenticated when unknown, revoked or expired."""
    now = now or utcnow()
    with uow:
        key = uow.api_keys.find(key_hash(plain.strip()))
        if key is None:
            raise Unauthenticated("the API key is not known")
        found = view(key)
        if found.status(now) != "active":
            raise Unauthenticated(f"the API key {found.name!r} is {found.status(now)}")
        if found.last_used_at is None or found.last_used_at < now - LAST_USE_RESOLUTION:
            # bookkeeping, not a change of data: no event, no audit record; within the minute no write at
            # all (on SQLite even an UPDATE that changes nothing takes the write lock)
            uow.api_keys.mark_used(key.id, now, now - LAST_USE_RESOLUTION)
            uow.commit()
        return found
