"""The API over a test database: `api` is a TestClient on the test's own database (SQLite, and PostgreSQL
when reachable: tests/conftest.py `database_url`), with an API key per role at hand.

    def test_products(api, demo):                 # ask for `demo` or `demo_history` for that content
        answer = api.client.get("/api/v1/products", headers=api.headers("viewer"))
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from genxsop_core.admin import api_keys
from genxsop_core.api.app import create_app, settings_for
from genxsop_core.domain.permissions import Actor
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.unit_of_work import UnitOfWork

API_SECRET = "test-secret-of-the-integration-api-0123456789"
KEY_ADMIN = Actor("alice", ("admin",))


@dataclass
class Api:
    client: TestClient
    database_url: str
    _keys: dict[str, str] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(get_session_factory(self.database_url))

    def key(self, role: str, client_id: str | None = None) -> str:
        """A key acting as `role` (created on first use; its name is `<role>-key`)."""
        if role not in self._keys:
            self._keys[role] = api_keys.create_key(self.uow(), KEY_ADMIN, f"{role}-key", role, client_id).key
        return self._keys[role]

    def headers(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.key(role)}


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    """A TestClient on the test database; demo mode off (a real deployment's rules), so the token secret
    is the one given here. Every role's key: `api.headers(role)`."""
    app = create_app(settings_for(database_url, api_secret=API_SECRET, demo=False))
    with TestClient(app) as client:
        yield Api(client, database_url)

