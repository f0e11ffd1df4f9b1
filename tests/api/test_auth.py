"""Signing in to the API: bearer tokens checked like the login form, API keys refused once revoked or expired."""
from __future__ import annotations

from datetime import date, timedelta

import jwt
import pytest

from genxsop_core.admin import api_keys, login_throttle, users
from genxsop_core.api.auth import ALGORITHM, ISSUER
from genxsop_core.api.errors import TooManyAttempts
from genxsop_core.api.throttle import FailedAttempts
from genxsop_core.domain.exceptions import Conflict, InvalidInput, PermissionDenied
from genxsop_core.domain.models import utcnow
from genxsop_core.domain.permissions import ROLES, Actor
from genxsop_core.persistence.repositories import AuditFilter
from tests.api.conftest import API_SECRET, KEY_ADMIN

PASSWORD = "Plan-the-week-42!"
ME = "/api/v1/auth/me"


def _add_user(api, username: str = "dana", roles: tuple[str, ...] = ("demand_planner",)) -> None:
    users.add_user(api.uow(), KEY_ADMIN, username, username.title(), PASSWORD, list(roles))


def _token(api, username: str = "dana", password: str = PASSWORD):
    return api.client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_a_user_signs_in_for_a_token_that_names_them_with_their_current_roles(api):
    _add_user(api)
    answer = _token(api)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 30 * 60
    claims = jwt.decode(body["access_token"], API_SECRET, algorithms=[ALGORITHM], issuer=ISSUER)
    assert claims["sub"] == "dana"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert api.client.get(ME, headers=bearer).json() == {
        "name": "dana", "kind": "user", "roles": ["demand_planner"], "client_id": None}
    users.set_roles(api.uow(), KEY_ADMIN, "dana", ["viewer"])  # read again on every call
    assert api.client.get(ME, headers=bearer).json()["roles"] == ["viewer"]
    users.set_active(api.uow(), KEY_ADMIN, "dana", False)
    refused = api.client.get(ME, headers=bearer)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"


def test_a_wrong_password_is_refused_and_counted_on_the_account_like_the_login_form(api):
    _add_user(api)
    for attempt in range(1, login_throttle.MAX_FAILED_LOGINS):
        answer = _token(api, password="not-it")
        assert answer.status_code == 401
        assert answer.json() == {"error": {"code": "unauthenticated", "message": "wrong username or password"}}
        with api.uow() as uow:
            assert uow.users.get("dana").failed_logins == attempt
    locking = _token(api, password="not-it")
    assert locking.status_code == 429 and "locked" in locking.json()["error"]["message"]
    assert int(locking.headers["Retry-After"]) > 0
    assert login_throttle.locked_until(api.uow(), "dana") is not None  # the browser's login sees the same lock
    # the right password does not open a locked account either (new address: the per-address count is not it)
    api.client.app.state.failed_attempts._failures.clear()
    assert _token(api).status_code == 429
    users.unlock_user(api.uow(), KEY_ADMIN, "dana")
    assert _token(api).status_code == 200
    with api.uow() as uow:
        actions = [r.action for r in uow.audit.search(AuditFilter(entity="user", key_contains="dana"))]
    assert "lock" in actions and "sign_in" in actions and "login_failed" in actions


def test_unknown_names_and_bad_keys_are_throttled_per_address(api):
    for _ in range(login_throttle.MAX_FAILED_LOGINS):
        assert _token(api, username="nobody").status_code == 401
    assert _token(api, username="nobody").status_code == 429
    api.client.app.state.failed_attempts._failures.clear()
    for _ in range(login_throttle.MAX_FAILED_LOGINS):
        assert api.client.get(ME, headers={"X-API-Key": "gxk_guess"}).status_code == 401
    refused = api.client.get(ME, headers=api.headers("viewer"))  # even a good key, from this address, for now
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_attempts"


def test_a_forged_or_expired_token_is_refused(api):
    _add_user(api)
    now = utcnow()
    forged = jwt.encode({"sub": "dana", "iss": ISSUER, "iat": now, "exp": now + timedelta(minutes=5)},
                        "another-secret-another-secret-another", algorithm=ALGORITHM)
    expired = jwt.encode({"sub": "dana", "iss": ISSUER, "iat": now - timedelta(hours=1),
                          "exp": now - timedelta(minutes=1)}, API_SECRET, algorithm=ALGORITHM)
    assert api.client.get(ME, headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    answer = api.client.get(ME, headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401 and "expired" in answer.json()["error"]["message"]
    assert api.client.get(ME).status_code == 401


def test_a_key_acts_with_its_role_and_client_id_and_records_its_last_use(api):
    created = api_keys.create_key(api.uow(), KEY_ADMIN, "erp-nightly", "demand_planner", client_id="sap-prd")
    assert created.key.startswith(api_keys.KEY_PREFIX) and created.view.prefix == created.key[:10]
    answer = api.client.get(ME, headers={"X-API-Key": created.key})
    assert answer.json() == {"name": "erp-nightly", "kind": "key", "roles": ["demand_planner"],
                             "client_id": "sap-prd"}
    (listed,) = api_keys.list_keys(api.uow(), KEY_ADMIN)
    assert listed.last_used_at is not None and listed.status() == "active"
    with api.uow() as uow:
        stored = uow.api_keys.get("erp-nightly")
        assert created.key not in (stored.key_hash, stored.key_prefix)  # only the hash is kept
        audit = [(r.action, r.username, r.key) for r in uow.audit.search(AuditFilter(entity="api_key"))]
    assert audit == [("create", "alice", "erp-nightly")]


def test_a_revoked_or_expired_key_is_refused(api):
    revoked = api_keys.create_key(api.uow(), KEY_ADMIN, "old-bi", "viewer")
    assert api.client.get(ME, headers={"X-API-Key": revoked.key}).status_code == 200
    api_keys.revoke_key(api.uow(), KEY_ADMIN, "old-bi")
    answer = api.client.get(ME, headers={"X-API-Key": revoked.key})
    assert answer.status_code == 401 and "revoked" in answer.json()["error"]["message"]
    yesterday = date.today() - timedelta(days=1)
    expiring = api_keys.create_key(api.uow(), KEY_ADMIN, "short", "viewer", expires_on=yesterday,
                                   today=yesterday)
    answer = api.client.get(ME, headers={"X-API-Key": expiring.key})
    assert answer.status_code == 401 and "expired" in answer.json()["error"]["message"]
    with pytest.raises(Conflict):
        api_keys.revoke_key(api.uow(), KEY_ADMIN, "old-bi")


def test_only_an_admin_manages_keys_and_names_roles_and_dates_are_checked(api):
    planner = Actor("dana", ("demand_planner",))
    with pytest.raises(PermissionDenied):
        api_keys.create_key(api.uow(), planner, "mine", "admin")
    with pytest.raises(PermissionDenied):
        api_keys.list_keys(api.uow(), planner)
    with pytest.raises(InvalidInput):
        api_keys.create_key(api.uow(), KEY_ADMIN, "x", "viewer")  # too short
    with pytest.raises(InvalidInput):
        api_keys.create_key(api.uow(), KEY_ADMIN, "bi", "overlord")
    with pytest.raises(InvalidInput):
        api_keys.create_key(api.uow(), KEY_ADMIN, "bi", "viewer", expires_on=date(2020, 1, 1))
    api_keys.create_key(api.uow(), KEY_ADMIN, "bi", "viewer")
    with pytest.raises(Conflict):
        api_keys.create_key(api.uow(), KEY_ADMIN, "bi", "viewer")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_s_key_is_taken_for_that_role(api, role):
    answer = api.client.get(ME, headers=api.headers(role))
    assert answer.status_code == 200
    assert answer.json() == {"name": f"{role}-key", "kind": "key", "roles": [role], "client_id": None}


def test_an_address_is_let_in_again_when_the_lock_period_is_over_and_others_are_not_held_up():
    attempts, start = FailedAttempts(limit=3, period=timedelta(minutes=15)), utcnow()
    for minute in range(3):
        attempts.check("10.0.0.1", start + timedelta(minutes=minute))
        attempts.failed("10.0.0.1", start + timedelta(minutes=minute))
    with pytest.raises(TooManyAttempts) as refused:
        attempts.check("10.0.0.1", start + timedelta(minutes=5))
    assert refused.value.retry_after_seconds == 10 * 60 + 1  # the first failure leaves the window at minute 15
    attempts.check("10.0.0.2", start + timedelta(minutes=5))
    attempts.check("10.0.0.1", start + timedelta(minutes=15, seconds=1))  # one failure has aged out


def test_a_key_s_use_is_recorded_at_most_once_a_minute(api):
    created = api_keys.create_key(api.uow(), KEY_ADMIN, "busy-etl", "viewer")
    start = utcnow()
    first = api_keys.authenticate(api.uow(), created.key, now=start)
    assert first.last_used_at is None  # the view as found, before this use
    (listed,) = api_keys.list_keys(api.uow(), KEY_ADMIN)
    assert abs((listed.last_used_at - start).total_seconds()) < 1
    api_keys.authenticate(api.uow(), created.key, now=start + timedelta(seconds=30))
    (listed,) = api_keys.list_keys(api.uow(), KEY_ADMIN)
    assert abs((listed.last_used_at - start).total_seconds()) < 1  # not written again within the minute
    api_keys.authenticate(api.uow(), created.key, now=start + timedelta(minutes=2))
    (listed,) = api_keys.list_keys(api.uow(), KEY_ADMIN)
    assert abs((listed.last_used_at - start - timedelta(minutes=2)).total_seconds()) < 1
