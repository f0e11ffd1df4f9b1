"""One use case = one unit of work = one transaction (the cosmicpython pattern).

The unit of work owns the session and the repositories, collects the events a service
publishes, writes their audit records in the same transaction, and commits only when told.
Leaving the block without `commit()` (or with an exception) rolls everything back.
"""
from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from genxsop_core.admin.logs import log_event
from genxsop_core.domain.events import Event, EventBus
from genxsop_core.persistence import repositories as repos
from genxsop_core.persistence.audit_trail import write_audit_records
from genxsop_core.persistence.db import get_session_factory
from genxsop_core.persistence.generations import count_changes


class UnitOfWork:
    session: Session

    def __init__(self, session_factory: sessionmaker[Session] | None = None, bus: EventBus | None = None):
        self._session_factory = session_factory or get_session_factory()
        self._bus = bus or default_bus()
        self._events: list[Event] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._events = []
        self.products = repos.ProductRepository(self.session)
        self.users = repos.UserRepository(self.session)
        self.setup_tokens = repos.SetupTokenRepository(self.session)
        self.api_keys = repos.ApiKeyRepository(self.session)
        self.audit = repos.AuditLogRepository(self.session)
        self.tables = repos.TableRepository(self.session)
        self.plans = repos.PlanVersionRepository(self.session)
        self.demand_plans = repos.DemandPlanRepository(self.session)
        self.supply_plans = repos.SupplyPlanRepository(self.session)
        self.inventory = repos.InventoryRepository(self.session)
        self.scenarios = repos.ScenarioRepository(self.session)
        self.kpi_targets = repos.KpiTargetRepository(self.session)
        self.cycles = repos.CycleRepository(self.session)
        self.resources = repos.ResourceRepository(self.session)
        self.demand = repos.DemandRepository(self.session)
        self.totals = repos.PeriodTotalsRepository(self.session)
        self.forecast_runs = repos.ForecastRunRepository(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()
        self.session.close()

    def publish(self, event: Event) -> None:
        """Queue an event; it is audited at commit and logged after it."""
        self._events.append(event)

    def flush(self) -> None:
        """Send the pending writes now, inside the transaction: new rows get their ids, and a unique
        key or a row version another planner moved refuses here rather than at commit."""
        self.session.flush()

    def commit(self) -> None:
        events, self._events = self._events, []
        self._bus.dispatch_in_transaction(events, self.session)
        self.session.commit()
        self._bus.dispatch_after_commit(events)

    def rollback(self) -> None:
        self._events = []
        self.session.rollback()


def default_bus() -> EventBus:
    """The bus every unit of work uses unless a test hands it another: the audit trail and the
    generation counters of the areas a change touches (the keys of the shared page caches) are
    written inside the transaction, a log line follows each commit."""
    global _DEFAULT_BUS
    if _DEFAULT_BUS is None:
        bus = EventBus()
        bus.subscribe(Event, write_audit_records, "in_transaction")
        bus.subscribe(Event, count_changes, "in_transaction")
        bus.subscribe(Event, log_event, "after_commit")
        _DEFAULT_BUS = bus
    return _DEFAULT_BUS


_DEFAULT_BUS: EventBus | None = None
