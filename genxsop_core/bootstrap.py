"""Getting a database ready: migrations on start, the demo company on an empty demo database, and
outside demo mode, while there is no user, the setup token for the first administrator."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from genxsop_core.admin import setup
from genxsop_core.admin.passwords import DEMO_PASSWORD  # shown on the login page in demo mode; refused elsewhere
from genxsop_core.admin.users import hash_password
from genxsop_core.config import Settings, load_settings
from genxsop_core.demo import company as demo
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict
from genxsop_core.domain.models import DEMO_ORIGIN, ReasonCode, User
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.io.formats import IMPORT_ORDER
from genxsop_core.io.importer import ImportResult, apply_import
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.persistence.unit_of_work import UnitOfWork

SYSTEM = Actor("system", ("admin",))
DEFAULT_APP_URL = "http://localhost:8501/"  # `streamlit run`'s address unless told otherwise
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "Alex Admin", "admin"),
    ("coordinator", "Casey Coordinator", "coordinator"),
    ("demand", "Dana Demand-Planner", "demand_planner"),
    ("supply", "Sam Supply-Planner", "supply_planner"),
    ("executive", "Erin Executive", "executive"),
    ("viewer", "Vic Viewer", "viewer"),
)
REASON_CODES: tuple[tuple[str, str], ...] = (
    ("PROMO", "Promotion or marketing event not in history"),
    ("CUSTOMER", "Customer intelligence (order, tender, listing)"),
    ("NPI", "New product introduction or cannibalisation"),
    ("PHASE_OUT", "Product phase-out or delisting"),
    ("SUPPLY", "Supply constraint or allocation"),
    ("PRICE", "Price change"),
    ("MARKET", "Market trend or competitor move"),
    ("CORRECTION", "Correction of a statistical anomaly"),
    ("SCENARIO", "What-if scenario promoted in the S&OP meeting"),
)

_log = logging.getLogger("genxsop.bootstrap")


@dataclass(frozen=True)
class DemoSeed:
    imports: list[ImportResult]
    users: list[str]


def _frame_as_file(frame: pd.DataFrame) -> pd.DataFrame:
    """Demo frames go through the same validation as uploads: number rows like a sheet."""
    return frame.set_axis(pd.RangeIndex(2, len(frame) + 2, name="row"))


def seed_demo(uow: UnitOfWork, actor: Actor, bucket: str) -> DemoSeed:
    """Load the demo company, its reason codes and one user per role, in one transaction; every row
    is marked as the demo's (origin, User.is_demo) so go-live can remove exactly these."""
    require(actor, "data.seed_demo")
    frames = demo.build_demo_data(bucket=bucket)
    with uow:
        if uow.products.count() or uow.users.count():
            raise Conflict("the database already has products or users; demo data goes into an empty database")
        imports = [apply_import(uow, actor, kind, _frame_as_file(frames[kind]), f"demo/{kind}.csv", DEMO_ORIGIN)
                   for kind in IMPORT_ORDER]
        for code, description in REASON_CODES:
            uow.plans.add_reason_code(ReasonCode(code=code, description=description, origin=DEMO_ORIGIN))
            uow.publish(RecordChanged(actor.username, action="create", entity="reason_code", key=code,
                                      after={"code": code, "description": description}))
        password_hash = hash_password(DEMO_PASSWORD)
        for username, name, role in DEMO_USERS:
            uow.users.add(User(username=username, name=name, email=f"{username}@demo.genxsop",
                               password_hash=password_hash, roles=[role], is_demo=True))
            uow.publish(RecordChanged(actor.username, action="create", entity="user", key=username,
                                      after={"username": username, "name": name, "roles": [role]}))
        uow.commit()
    return DemoSeed(imports, [u for u, _, _ in DEMO_USERS])


def announce_setup_token(settings: Settings, app_url: str = DEFAULT_APP_URL) -> str | None:
    """On a database without users, issue a setup token and print it once to the console and the log
    (admin.setup: each call voids the token printed before); None when there are users."""
    token = setup.issue_setup_token(UnitOfWork(get_session_factory(settings.database_url)))
    if token is not None:
        message = setup.setup_message(token, app_url)
        print(message, flush=True)
        _log.warning(message)
    return token


def prepare_database(settings: Settings | None = None, app_url: str = DEFAULT_APP_URL) -> DemoSeed | None:
    """Migrate to the newest schema; in demo mode, seed an empty database; outside it, while there is no
    user, print a new setup token (announce_setup_token). Safe to call twice (a second call replaces the token)."""
    settings = settings or load_settings()
    upgrade_database(settings.database_url)
    if not settings.demo:
        announce_setup_token(settings, app_url)
        return None
    uow = UnitOfWork(get_session_factory(settings.database_url))
    with uow:
        empty = uow.products.count() == 0 and uow.users.count() == 0
    if not empty:
        return None
    _log.info("empty demo database: seeding the demo company and its planning history")
    seed = seed_demo(uow, SYSTEM, settings.bucket)
    from genxsop_core.demo.plans import seed_demo_plans  # imports the forecasting engine: only when seeding

    seed_demo_plans(lambda: UnitOfWork(get_session_factory(settings.database_url)), SYSTEM, settings.bucket,
                    workers=1)
    return seed

