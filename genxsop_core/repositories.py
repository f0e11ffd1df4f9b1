"""Repositories: the only place that builds queries. Callers get rows, frames or counts."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from genxsop_core.models import (
    QUANTILE_COLUMNS,
    AuditLog,
    Base,
    DemandActual,
    DemandPlan,
    ForecastModelScore,
    ForecastResult,
    ForecastRun,
    InventorySnapshot,
    KpiTarget,
    MeetingPack,
    PlannedPromotion,
    PlanVersion,
    Product,
    ReasonCode,
    Resource,
    Routing,
    Scenario,
    SopAction,
    SopCycle,
    SopDecision,
    SopSignOff,
    SupplyPlan,
    User,
)

_IN_CHUNK = 900  # below SQLite's bound-parameter limit


def fingerprint(session: Session, aggregates: Iterable[Select[Any]]) -> str:
    """The results of one-row aggregate queries as one string: cheap to read, and it changes when
    the rows under them change (caches of loaded data are keyed on it)."""
    return "|".join(str(tuple(session.execute(query).one())) for query in aggregates)


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class ProductRepository:
    def __init__(self, session: Session):
        self.session = session

    def get_by_sku(self, sku: str) -> Product | None:
        return self.session.scalar(select(Product).where(Product.sku == sku))

    def ids_by_sku(self) -> dict[str, int]:
        return dict(self.session.execute(select(Product.sku, Product.id)).tuples().all())

    def prices(self) -> pd.Series:
        """Unit price per SKU (revenue views)."""
        rows = self.session.execute(select(Product.sku, Product.unit_price)).tuples().all()
        return pd.Series(dict(rows), dtype=float)

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Product)) or 0

    def master(self, skus: Sequence[str] | None = None) -> pd.DataFrame:
        """The planning attributes of products (costs, lead times, lot size, service level), by SKU."""
        query = select(Product.sku, Product.name, Product.category, Product.family, Product.status,
                       Product.unit_cost, Product.unit_price, Product.lead_time_days, Product.lead_time_std_days,
                       Product.moq, Product.order_cost, Product.holding_cost_rate, Product.service_level_target)
        if skus is not None:
            query = query.where(Product.sku.in_(list(skus)))
        result = self.session.execute(query.order_by(Product.sku))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


class ResourceRepository:
    def __init__(self, session: Session):
        self.session = session

    def ids_by_code(self) -> dict[str, int]:
        return dict(self.session.execute(select(Resource.code, Resource.id)).tuples().all())

    def frame(self) -> pd.DataFrame:
        """resource, name, capacity_hours (per bucket), cost_per_hour."""
        result = self.session.execute(select(Resource.code.label("resource"), Resource.name, Resource.capacity_hours,
                                             Resource.cost_per_hour).order_by(Resource.code))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def routings(self) -> pd.DataFrame:
        """sku, resource, hours_per_unit."""
        result = self.session.execute(
            select(Product.sku, Resource.code.label("resource"), Routing.hours_per_unit)
            .join(Product, Product.id == Routing.product_id).join(Resource, Resource.id == Routing.resource_id)
            .order_by(Product.sku, Resource.code))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


class InventoryRepository:
    def __init__(self, session: Session):
        self.session = session

    def snapshots(self) -> pd.DataFrame:
        """sku, snapshot_date, on_hand: every stock count."""
        result = self.session.execute(
            select(Product.sku, InventorySnapshot.snapshot_date, InventorySnapshot.on_hand)
            .join(Product, Product.id == InventorySnapshot.product_id))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def on_hand(self, as_of: Any) -> pd.DataFrame:
        """sku, snapshot_date, on_hand: each product's latest stock count on or before `as_of`."""
        latest = (select(InventorySnapshot.product_id, func.max(InventorySnapshot.snapshot_date).label("day"))
                  .where(InventorySnapshot.snapshot_date <= as_of).group_by(InventorySnapshot.product_id).subquery())
        result = self.session.execute(
            select(Product.sku, InventorySnapshot.snapshot_date, InventorySnapshot.on_hand)
            .join(latest, (latest.c.product_id == InventorySnapshot.product_id)
                  & (latest.c.day == InventorySnapshot.snapshot_date))
            .join(Product, Product.id == InventorySnapshot.product_id).order_by(Product.sku))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, user: User) -> None:
        self.session.add(user)

    def get(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

    def list(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(User)) or 0


class PlanVersionRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, version: PlanVersion) -> None:
        self.session.add(version)

    def latest_working(self, kind: str) -> PlanVersion | None:
        """The working plan: the newest draft that belongs to no cycle (where imports of open and
        planned orders go; cycle versions start from it)."""
        return self.session.scalar(
            select(PlanVersion).where(PlanVersion.kind == kind, PlanVersion.status == "draft",
                                      PlanVersion.cycle_id.is_(None))
            .order_by(PlanVersion.created_at.desc(), PlanVersion.id.desc()).limit(1)
        )

    def get(self, version_id: int) -> PlanVersion | None:
        return self.session.get(PlanVersion, version_id)

    def listing(self, kind: str) -> pd.DataFrame:
        """Versions of one kind with their cycle month, newest cycle first."""
        result = self.session.execute(
            select(PlanVersion.id, PlanVersion.name, PlanVersion.status, PlanVersion.source_run_id,
                   PlanVersion.demand_version_id, PlanVersion.created_by, PlanVersion.created_at, PlanVersion.approved_by, PlanVersion.approved_at,
                   SopCycle.month.label("cycle_month"), SopCycle.name.label("cycle"))
            .outerjoin(SopCycle, SopCycle.id == PlanVersion.cycle_id).where(PlanVersion.kind == kind)
            .order_by(SopCycle.month.desc(), PlanVersion.id.desc()))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def for_cycle(self, kind: str, cycle_id: int) -> PlanVersion | None:
        """The cycle's version of a kind (versions superseded by a promoted scenario do not count)."""
        return self.session.scalar(select(PlanVersion).where(PlanVersion.kind == kind,
                                                             PlanVersion.cycle_id == cycle_id,
                                                             PlanVersion.status != "superseded"))

    def change_stamp(self, version_ids: Sequence[int]) -> str:
        """Row counts and latest changes of these versions' rows, the working supply plan, stock
        and master data, as one string: any save, import or status change alters it."""
        ids = list(version_ids)
        return fingerprint(self.session, [
            *[select(func.count(), func.max(m.updated_at), func.sum(m.row_version)).where(m.plan_version_id.in_(ids))
              for m in (DemandPlan, SupplyPlan)],
            select(func.count(), func.max(InventorySnapshot.snapshot_date), func.sum(InventorySnapshot.on_hand)),
            select(func.max(PlanVersion.id), func.count(PlanVersion.approved_at)),
            select(func.count(), func.sum(Product.unit_price + Product.unit_cost + Product.lead_time_days))])

    def cycle_by_month(self, month: Any) -> SopCycle | None:
        return self.session.scalar(select(SopCycle).where(SopCycle.month == month))

    def cycle(self, cycle_id: int | None) -> SopCycle | None:
        return None if cycle_id is None else self.session.get(SopCycle, cycle_id)

    def add_cycle(self, cycle: SopCycle) -> None:
        self.session.add(cycle)

    def reason_codes(self, active_only: bool = True) -> list[ReasonCode]:
        query = select(ReasonCode).order_by(ReasonCode.code)
        if active_only:
            query = query.where(ReasonCode.active.is_(True))
        return list(self.session.scalars(query))


def node_filter(level: str, key: str) -> list[Any]:
    """WHERE clauses picking the products of a hierarchy node (none for the total)."""
    column = {"category": Product.category, "family": Product.family, "sku": Product.sku}.get(level)
    return [] if column is None else [column == key]


class PeriodTotalsRepository:
    """Sums per period over a node of the product hierarchy, added up by the database: a chart of
    thousands of SKUs reads one row per period instead of one per SKU and period. A period whose
    values are all NULL sums to NULL (SQL SUM), so it stays empty rather than becoming 0."""

    def __init__(self, session: Session):
        self.session = session

    def _totals(self, model: Any, values: dict[str, Any], where: list[Any], revenue: bool) -> pd.DataFrame:
        weight = Product.unit_price if revenue else 1.0
        query = (select(model.period.label("period"), *[func.sum(column * weight).label(name)
                                                        for name, column in values.items()])
                 .join(Product, Product.id == model.product_id).where(*where)
                 .group_by(model.period).order_by(model.period))
        result = self.session.execute(query)
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        return frame.assign(period=pd.to_datetime(frame["period"])).astype({name: float for name in values})

    def actuals(self, products: list[Any], revenue: bool = False) -> pd.DataFrame:
        """period, actual (ordered units, or their value at unit price)."""
        return self._totals(DemandActual, {"actual": DemandActual.ordered_qty}, products, revenue)

    def demand_plan(self, version_id: int, products: list[Any], revenue: bool = False) -> pd.DataFrame:
        """period, statistical, consensus of one demand plan version."""
        return self._totals(DemandPlan, {"statistical": DemandPlan.statistical, "consensus": DemandPlan.consensus},
                            [DemandPlan.plan_version_id == version_id, *products], revenue)

    def forecast_band(self, run_id: int, products: list[Any], revenue: bool = False) -> pd.DataFrame:
        """period, p10, p90 of a run's forecasts (its backtests left out)."""
        return self._totals(ForecastResult, {"p10": ForecastResult.p10, "p90": ForecastResult.p90},
                            [ForecastResult.run_id == run_id, ForecastResult.model.not_like("backtest-%"), *products],
                            revenue)


class _PlanRowRepository:
    """Rows of plan versions: frames for reading, ORM objects for locked updates, bulk inserts."""

    model: type[DemandPlan] | type[SupplyPlan]
    columns: tuple[str, ...]

    def __init__(self, session: Session):
        self.session = session

    def frame(self, version_ids: Sequence[int], skus: Sequence[str] | None = None) -> pd.DataFrame:
        """sku, name, category, family, unit_price, version_id, period, the kind's columns, author,
        updated_at, row_version."""
        m = self.model
        query = (select(Product.sku, Product.name, Product.category, Product.family, Product.unit_price,
                        m.plan_version_id.label("version_id"), m.period, *[getattr(m, c) for c in self.columns],
                        m.author, m.updated_at, m.row_version)
                 .join(Product, Product.id == m.product_id)
                 .where(m.plan_version_id.in_(list(version_ids))))
        if skus is not None:
            query = query.where(Product.sku.in_(list(skus)))
        result = self.session.execute(query.order_by(Product.sku, m.period))
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        return frame.assign(period=pd.to_datetime(frame["period"]))

    def skus(self, version_id: int) -> set[str]:
        """The SKUs that have rows in a version (a family's SKUs may have changed since it was made)."""
        query = (select(Product.sku).join(self.model, self.model.product_id == Product.id)
                 .where(self.model.plan_version_id == version_id).distinct())
        return set(self.session.scalars(query))

    def rows_for_update(self, version_id: int, keys: Sequence[tuple[str, Any]]) -> dict[tuple[str, Any], Any]:
        """The ORM rows for (sku, period) keys; updating them checks row_version (optimistic lock)."""
        skus = sorted({sku for sku, _ in keys})
        wanted = set(keys)
        found: dict[tuple[str, Any], Any] = {}
        for chunk in _chunks(skus):
            query = (select(Product.sku, self.model).join(Product, Product.id == self.model.product_id)
                     .where(self.model.plan_version_id == version_id, Product.sku.in_(chunk)))
            for sku, row in self.session.execute(query):
                if (sku, row.period) in wanted:
                    found[(sku, row.period)] = row
        return found

    def insert_rows(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(self.model), rows)


class DemandPlanRepository(_PlanRowRepository):
    model = DemandPlan
    columns = ("statistical", "override", "consensus", "reason_code", "comment")


class SupplyPlanRepository(_PlanRowRepository):
    model = SupplyPlan
    columns = ("planned_receipts", "kind", "firm", "comment")


class KpiTargetRepository:
    def __init__(self, session: Session):
        self.session = session

    def frame(self) -> pd.DataFrame:
        """kpi, level, key, target, green, amber, higher_is_better of every stored target."""
        result = self.session.execute(select(KpiTarget.kpi, KpiTarget.level, KpiTarget.key, KpiTarget.target,
                                             KpiTarget.green, KpiTarget.amber, KpiTarget.higher_is_better))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def get(self, kpi: str, level: str, key: str) -> KpiTarget | None:
        return self.session.scalar(select(KpiTarget).where(KpiTarget.kpi == kpi, KpiTarget.level == level,
                                                           KpiTarget.key == key))

    def add(self, target: KpiTarget) -> None:
        self.session.add(target)

    def update_if_unchanged(self, target: KpiTarget, seen: dict[str, Any], values: dict[str, Any]) -> bool:
        """Write `values` to a stored target only while it still holds `seen`, the values the caller read
        (the table keeps no row version: its values are the lock). False, and nothing written, when
        someone changed it in between."""
        statement = update(KpiTarget).where(KpiTarget.id == target.id,
                                            *[getattr(KpiTarget, field) == value for field, value in seen.items()])
        return self.session.execute(statement.values(values)).rowcount == 1


class CycleRepository:
    """The record of S&OP cycles: sign-offs, decisions, actions (cycles themselves: PlanVersionRepository)."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, record: SopSignOff | SopDecision | SopAction) -> None:
        self.session.add(record)

    def _frame(self, query: Select[Any]) -> pd.DataFrame:
        result = self.session.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def listing(self) -> pd.DataFrame:
        return self._frame(select(SopCycle.id, SopCycle.name, SopCycle.month, SopCycle.stage, SopCycle.closed_at,
                                  SopCycle.frozen_by).order_by(SopCycle.month.desc()))

    def signoff(self, cycle_id: int, stage: str, username: str) -> SopSignOff | None:
        return self.session.scalar(select(SopSignOff).where(
            SopSignOff.cycle_id == cycle_id, SopSignOff.stage == stage, SopSignOff.username == username))

    def signoffs(self, cycle_id: int) -> pd.DataFrame:
        return self._frame(select(SopSignOff.stage, SopSignOff.username, SopSignOff.role, SopSignOff.comment,
                                  SopSignOff.signed_at).where(SopSignOff.cycle_id == cycle_id)
                           .order_by(SopSignOff.signed_at))

    def decisions(self, cycle_id: int) -> pd.DataFrame:
        return self._frame(select(SopDecision.id, SopDecision.text, SopDecision.scenario_id, SopDecision.decided_by,
                                  SopDecision.decided_at).where(SopDecision.cycle_id == cycle_id)
                           .order_by(SopDecision.id))

    def actions(self, cycle_id: int) -> pd.DataFrame:
        return self._frame(select(SopAction.id, SopAction.text, SopAction.owner, SopAction.due, SopAction.status,
                                  SopAction.created_by).where(SopAction.cycle_id == cycle_id).order_by(SopAction.id))

    def action(self, action_id: int) -> SopAction | None:
        return self.session.get(SopAction, action_id)

    def add_packs(self, packs: list[MeetingPack]) -> None:
        self.session.add_all(packs)
        self.session.flush()

    def packs(self, cycle_id: int) -> pd.DataFrame:
        """id, kind, file_name, size (bytes), sha256, created_by, created_at of a cycle's packs, newest first."""
        return self._frame(select(MeetingPack.id, MeetingPack.kind, MeetingPack.file_name,
                                  func.length(MeetingPack.content).label("size"), MeetingPack.sha256,
                                  MeetingPack.created_by, MeetingPack.created_at)
                           .where(MeetingPack.cycle_id == cycle_id).order_by(MeetingPack.id.desc()))

    def pack(self, pack_id: int) -> MeetingPack | None:
        return self.session.get(MeetingPack, pack_id)


class ScenarioRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, scenario: Scenario) -> None:
        self.session.add(scenario)

    def get(self, scenario_id: int) -> Scenario | None:
        return self.session.get(Scenario, scenario_id)

    def listing(self, base_plan_version_id: int | None = None) -> pd.DataFrame:
        """Pinned scenarios (of one plan version), newest first."""
        query = select(Scenario.id, Scenario.name, Scenario.status, Scenario.note, Scenario.created_by,
                       Scenario.created_at, Scenario.base_plan_version_id, Scenario.cycle_id, Scenario.levers,
                       Scenario.results)
        if base_plan_version_id is not None:
            query = query.where(Scenario.base_plan_version_id == base_plan_version_id)
        result = self.session.execute(query.order_by(Scenario.id.desc()))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    entity: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    key_contains: str | None = None


class AuditLogRepository:
    """Read side of the append-only log (records are added only by the audit handler)."""

    def __init__(self, session: Session):
        self.session = session

    def _filtered(self, query: Select[Any], f: AuditFilter) -> Select[Any]:
        conditions = [
            (f.username, lambda v: AuditLog.username == v),
            (f.action, lambda v: AuditLog.action == v),
            (f.entity, lambda v: AuditLog.entity == v),
            (f.since, lambda v: AuditLog.at >= v),
            (f.until, lambda v: AuditLog.at < v),
            (f.key_contains, lambda v: AuditLog.key.contains(v)),
        ]
        for value, condition in conditions:
            if value:
                query = query.where(condition(value))
        return query

    def search(self, f: AuditFilter, limit: int = 500) -> list[AuditLog]:
        query = self._filtered(select(AuditLog), f).order_by(AuditLog.id.desc()).limit(limit)
        return list(self.session.scalars(query))

    def count(self, f: AuditFilter | None = None) -> int:
        query = self._filtered(select(func.count()).select_from(AuditLog), f or AuditFilter())
        return self.session.scalar(query) or 0

    def distinct_values(self, column: str) -> list[str]:
        col = getattr(AuditLog, column)
        return list(self.session.scalars(select(col).distinct().order_by(col)))


class TableRepository:
    """Bulk reads and natural-key upserts of whole tables, for import, export and demo seeding."""

    def __init__(self, session: Session):
        self.session = session

    def frame(self, query: Select[Any]) -> pd.DataFrame:
        result = self.session.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def count(self, model: type[Base]) -> int:
        return self.session.scalar(select(func.count()).select_from(model)) or 0

    def fingerprint(self, *aggregates: Select[Any]) -> str:
        return fingerprint(self.session, aggregates)

    def existing_by_key(self, model: type[Base], key: tuple[str, ...], fields: list[str],
                        scope: dict[str, Any], first_key_values: list[Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
        """Current rows whose first key column is among `first_key_values`, keyed by natural key."""
        columns = [getattr(model, "id")] + [getattr(model, c) for c in dict.fromkeys(key + tuple(fields))]
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for chunk in _chunks(sorted(set(first_key_values))):
            query = select(*columns).where(getattr(model, key[0]).in_(chunk))
            for name, value in scope.items():
                query = query.where(getattr(model, name) == value)
            for row in self.session.execute(query).mappings():
                found[tuple(row[k] for k in key)] = dict(row)
        return found

    def insert_many(self, model: type[Base], rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(model.__table__), rows)

    def update_many(self, model: type[Base], rows: list[dict[str, Any]]) -> None:
        """Update by primary key; each row dict holds `id` and the new values."""
        if not rows:
            return
        table = model.__table__
        fields = [k for k in rows[0] if k != "id"]
        statement = update(table).where(table.c.id == bindparam("_id")).values(
            {f: bindparam(f"_v_{f}") for f in fields})
        params = [{"_id": r["id"], **{f"_v_{f}": r[f] for f in fields}} for r in rows]
        self.session.execute(statement, params)


class DemandRepository:
    """Demand history and planned promotions in the long format forecasting speaks."""

    def __init__(self, session: Session):
        self.session = session

    def skus_in_scope(self, kind: str, values: Sequence[str]) -> list[str]:
        query = select(Product.sku).where(Product.status != "inactive").order_by(Product.sku)
        if kind == "category":
            query = query.where(Product.category.in_(values))
        elif kind == "family":
            query = query.where(Product.family.in_(values))
        elif kind == "skus":
            query = query.where(Product.sku.in_(values))
        return list(self.session.scalars(query))

    def history(self, skus: Sequence[str], since: Any = None, until: Any = None) -> pd.DataFrame:
        """unique_id (sku), ds, y (ordered units), promo for the given SKUs (periods since <= ds < until)."""
        frames = []
        for chunk in _chunks(list(skus)):
            query = (select(Product.sku.label("unique_id"), DemandActual.period.label("ds"),
                            DemandActual.ordered_qty.label("y"), DemandActual.promo.label("promo"))
                     .join(Product, Product.id == DemandActual.product_id)
                     .where(Product.sku.in_(chunk)).order_by(Product.sku, DemandActual.period))
            if since is not None:
                query = query.where(DemandActual.period >= since)
            if until is not None:
                query = query.where(DemandActual.period < until)
            result = self.session.execute(query)
            frames.append(pd.DataFrame(result.all(), columns=list(result.keys())))
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["unique_id", "ds", "y", "promo"])
        return frame.assign(ds=pd.to_datetime(frame["ds"]), promo=frame["promo"].astype(float))

    def latest_period(self) -> Any:
        """The newest bucket with actuals (None without any)."""
        return self.session.scalar(select(func.max(DemandActual.period)))

    def service(self) -> pd.DataFrame:
        """sku, period, ordered, shipped, on_time_in_full: what customers asked for and got, every bucket."""
        result = self.session.execute(
            select(Product.sku, DemandActual.period, DemandActual.ordered_qty.label("ordered"),
                   DemandActual.shipped_qty.label("shipped"),
                   DemandActual.shipped_on_time_in_full_qty.label("on_time_in_full"))
            .join(Product, Product.id == DemandActual.product_id))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def planned_promotions(self, skus: Sequence[str]) -> pd.DataFrame:
        result = self.session.execute(
            select(Product.sku.label("unique_id"), PlannedPromotion.period.label("ds"))
            .join(Product, Product.id == PlannedPromotion.product_id).where(Product.sku.in_(list(skus))))
        frame = pd.DataFrame(result.all(), columns=["unique_id", "ds"])
        return frame.assign(ds=pd.to_datetime(frame["ds"]))

    def hierarchy(self) -> pd.DataFrame:
        result = self.session.execute(select(Product.sku, Product.name, Product.category, Product.family)
                                      .order_by(Product.category, Product.family, Product.sku))
        return pd.DataFrame(result.all(), columns=["sku", "name", "category", "family"])


class ForecastRunRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, run: ForecastRun) -> None:
        self.session.add(run)

    def get(self, run_id: int) -> ForecastRun | None:
        return self.session.get(ForecastRun, run_id)

    def recent(self, limit: int = 50) -> list[ForecastRun]:
        return list(self.session.scalars(select(ForecastRun).order_by(ForecastRun.id.desc()).limit(limit)))

    def unfinished(self) -> list[ForecastRun]:
        return list(self.session.scalars(select(ForecastRun).where(ForecastRun.status.in_(("queued", "running")))))

    def results(self, run_id: int, skus: Sequence[str] | None = None, future_only: bool = False) -> pd.DataFrame:
        """sku, period, model, mean, quantiles; `future_only` leaves out the backtest forecasts."""
        query = (select(Product.sku, ForecastResult.period, ForecastResult.model, ForecastResult.mean,
                        *[getattr(ForecastResult, q) for q in QUANTILE_COLUMNS])
                 .join(Product, Product.id == ForecastResult.product_id).where(ForecastResult.run_id == run_id))
        if skus is not None:
            query = query.where(Product.sku.in_(list(skus)))
        if future_only:
            query = query.where(ForecastResult.model.not_like("backtest-%"))
        result = self.session.execute(query.order_by(Product.sku, ForecastResult.period))
        return pd.DataFrame(result.all(), columns=list(result.keys()))

    def scores(self, run_id: int) -> pd.DataFrame:
        S = ForecastModelScore  # noqa: N806 - short alias keeps the query readable
        result = self.session.execute(
            select(Product.sku, S.model, S.mae, S.rmse, S.wape, S.smape, S.mase, S.bias, S.chosen, S.reason)
            .join(Product, Product.id == S.product_id).where(S.run_id == run_id).order_by(Product.sku, S.model))
        return pd.DataFrame(result.all(), columns=list(result.keys()))
