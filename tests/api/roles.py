"""Calling an endpoint as every role: the roles the PERMISSIONS table refuses get 403 and write
nothing (no audit row); the others get past the role check.

    answers = as_every_role(api, "post", PATH, allowed=PERMISSIONS["demand_plan.edit"], json=body)
    assert answers["demand_planner"].status_code == 200

The refused roles are called first, so a refusal is checked on the database as it was; the allowed
ones follow in ROLES order, so the first allowed role's answer is the one that did the write (a
later one may then meet a 409 or 422 the write caused: it passed the role check all the same).
"""
from __future__ import annotations

from collections.abc import Iterable

import httpx

from genxsop_core.domain.permissions import ROLES

READ_ROLES = frozenset(ROLES)  # a viewer reads everything


def audit_rows(api) -> int:
    with api.uow() as uow:
        return uow.audit.count()


def as_every_role(api, method: str, path: str, allowed: Iterable[str], **request) -> dict[str, httpx.Response]:
    allowed = frozenset(allowed)
    answers: dict[str, httpx.Response] = {}
    for role in ROLES:  # every role's key exists before counting: creating one is audited
        api.key(role)
    for role in [r for r in ROLES if r not in allowed]:
        before = audit_rows(api)
        answer = api.client.request(method, path, headers=api.headers(role), **request)
        assert answer.status_code == 403, f"{role} {method} {path}: {answer.status_code} {answer.text}"
        assert answer.json()["error"]["code"] == "forbidden"
        assert audit_rows(api) == before, f"{role} was refused {method} {path} but something was audited"
        answers[role] = answer
    for role in [r for r in ROLES if r in allowed]:
        answer = api.client.request(method, path, headers=api.headers(role), **request)
        assert answer.status_code != 403 and answer.status_code < 500, \
            f"{role} {method} {path}: {answer.status_code} {answer.text}"
        answers[role] = answer
    return answers


def first_role(allowed: Iterable[str]) -> str:
    """The first allowed role in ROLES order: the one whose call did the write."""
    return next(r for r in ROLES if r in frozenset(allowed))


def first_allowed(answers: dict[str, httpx.Response], allowed: Iterable[str]) -> httpx.Response:
    """The answer of the call that did the write."""
    return answers[first_role(allowed)]
