"""The whole S&OP domain as typed SQLAlchemy 2.x models (docs/architecture.md).

All of it exists from the first migration so later features add behaviour, not tables.
Natural keys (sku, product+period, ...) carry unique constraints: imports upsert on them.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from genxsop_core.domain.states import ActionStatus, CycleStage, PlanStatus, RunStatus, SupplyKind

# `origin` of a row: the demo created it, or the demo created it and a real import then changed it
# (go-live removes the first and refuses while the second exist); None is a real row
DEMO_ORIGIN = "demo"
DEMO_IMPORTED_ORIGIN = "demo+import"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[float]: JSON}


# --- master data -------------------------------------------------------------------------

class Product(Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100), index=True)
    family: Mapped[str] = mapped_column(String(100), index=True)
    uom: Mapped[str] = mapped_column(String(20), default="EA")
    unit_cost: Mapped[float] = mapped_column(Float)
    unit_price: Mapped[float] = mapped_column(Float)
    lead_time_days: Mapped[float] = mapped_column(Float, default=0.0)
    lead_time_std_days: Mapped[float] = mapped_column(Float, default=0.0)
    moq: Mapped[float] = mapped_column(Float, default=1.0)
    order_cost: Mapped[float] = mapped_column(Float, default=0.0)
    holding_cost_rate: Mapped[float] = mapped_column(Float, default=0.25)
    service_level_target: Mapped[float] = mapped_column(Float, default=0.95)
    status: Mapped[str] = mapped_column(String(20), default="active")
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)


class Resource(Base):
    """A work centre or line; capacity is in hours per planning bucket."""

    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    capacity_hours: Mapped[float] = mapped_column(Float)
    cost_per_hour: Mapped[float] = mapped_column(Float, default=0.0)
    # overtime the balance may add per bucket, and its cost per hour; NULL cost = 1.5 x cost_per_hour (migration 0011)
    overtime_hours: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    overtime_cost_per_hour: Mapped[float | None] = mapped_column(Float)
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)


class Routing(Base):
    """Hours of a resource one unit of a product needs."""

    __tablename__ = "routing"
    __table_args__ = (UniqueConstraint("product_id", "resource_id", name="uq_routing_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), index=True)
    hours_per_unit: Mapped[float] = mapped_column(Float)
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)

    product: Mapped[Product] = relationship()
    resource: Mapped[Resource] = relationship()


# --- demand ------------------------------------------------------------------------------

class DemandActual(Base):
    __tablename__ = "demand_actual"
    __table_args__ = (UniqueConstraint("product_id", "period", name="uq_demand_actual_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    period: Mapped[date] = mapped_column(Date, index=True)
    ordered_qty: Mapped[float] = mapped_column(Float)
    shipped_qty: Mapped[float] = mapped_column(Float)
    shipped_on_time_in_full_qty: Mapped[float] = mapped_column(Float)
    promo: Mapped[bool] = mapped_column(Boolean, default=False)
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)

    product: Mapped[Product] = relationship()


class PlannedPromotion(Base):
    """A promotion planned for a future bucket: the known-future covariate of forecasts."""

    __tablename__ = "planned_promotion"
    __table_args__ = (UniqueConstraint("product_id", "period", name="uq_planned_promotion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    period: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")


class ForecastRun(Base):
    __tablename__ = "forecast_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    scope: Mapped[dict[str, Any]] = mapped_column(default=dict)
    models: Mapped[list[str]] = mapped_column(default=list)
    horizon: Mapped[int] = mapped_column(Integer)
    quantiles: Mapped[list[float]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED, index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data_hash: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)
    # SKUs whose history stops before the latest date: the choice, and which ones since when (migration 0010)
    late_history: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ForecastResult(Base):
    """One forecast bucket of one SKU in one run, with its quantiles (level x 100).

    The run's forecast has no `window`; the chosen model's backtest forecasts are stored too, with
    the number of their backtest window (1 = oldest origin) and no quantiles."""

    __tablename__ = "forecast_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    period: Mapped[date] = mapped_column(Date)
    model: Mapped[str] = mapped_column(String(120))  # "combo:a+b+c" names three strategies
    window: Mapped[int | None] = mapped_column(Integer)  # None: the forecast; N: backtest window N
    mean: Mapped[float] = mapped_column(Float)
    p01: Mapped[float | None] = mapped_column(Float)
    p05: Mapped[float | None] = mapped_column(Float)
    p10: Mapped[float | None] = mapped_column(Float)
    p25: Mapped[float | None] = mapped_column(Float)
    p50: Mapped[float | None] = mapped_column(Float)
    p75: Mapped[float | None] = mapped_column(Float)
    p90: Mapped[float | None] = mapped_column(Float)
    p95: Mapped[float | None] = mapped_column(Float)
    p99: Mapped[float | None] = mapped_column(Float)


# one row per bucket of the forecast and of each backtest window (windows overlap: half a horizon apart);
# a plain unique key would let NULL windows repeat, hence the expression (migration 0007)
Index("uq_forecast_result_bucket", ForecastResult.run_id, ForecastResult.product_id, ForecastResult.period,
      ForecastResult.model, func.coalesce(ForecastResult.window, 0), unique=True)

QUANTILE_COLUMNS: tuple[str, ...] = ("p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99")


class ForecastNodeResult(Base):
    """One forecast bucket of one node of the product hierarchy in a run, reconciled so that a
    node's mean is the sum of its children's (forecasting.hierarchy.reconcile_run). Its band is the
    node's own P10-P90 from probabilistic reconciliation, narrower than the sum of its SKUs' bands.
    (level, node) is the domain's address of the node (domain.hierarchy.Node: ("total", ""),
    ("family", "Juice"), ("sku", "JU-001")), with the names the products had when the run ran."""

    __tablename__ = "forecast_node_result"
    __table_args__ = (UniqueConstraint("run_id", "level", "node", "period", name="uq_forecast_node_bucket"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    node: Mapped[str] = mapped_column(String(200))
    period: Mapped[date] = mapped_column(Date)
    model: Mapped[str] = mapped_column(String(120))
    mean: Mapped[float] = mapped_column(Float)
    p10: Mapped[float | None] = mapped_column(Float)
    p50: Mapped[float | None] = mapped_column(Float)
    p90: Mapped[float | None] = mapped_column(Float)


NODE_QUANTILE_COLUMNS: tuple[str, ...] = ("p10", "p50", "p90")


class ForecastModelScore(Base):
    """Backtest metrics of one model on one SKU in a run, and whether auto chose it and why."""

    __tablename__ = "forecast_model_score"
    __table_args__ = (UniqueConstraint("run_id", "product_id", "model", name="uq_model_score_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(120))  # "combo:a+b+c" names three strategies
    mae: Mapped[float | None] = mapped_column(Float)
    rmse: Mapped[float | None] = mapped_column(Float)
    wape: Mapped[float | None] = mapped_column(Float)
    smape: Mapped[float | None] = mapped_column(Float)
    mase: Mapped[float | None] = mapped_column(Float)
    bias: Mapped[float | None] = mapped_column(Float)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")


# --- plans -------------------------------------------------------------------------------

class PlanVersion(Base):
    """A version of the demand or supply plan: draft -> submitted -> approved (read-only)."""

    __tablename__ = "plan_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)  # a PlanKind
    name: Mapped[str] = mapped_column(String(200))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("sop_cycle.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.DRAFT)
    source_run_id: Mapped[int | None] = mapped_column(ForeignKey("forecast_run.id", ondelete="SET NULL"))
    # plain id, not a foreign key: scenario already points at plan_version (no cycle of keys)
    source_scenario_id: Mapped[int | None] = mapped_column(Integer)
    # a supply version balances one demand version (plain id for the same reason)
    demand_version_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)


class ReasonCode(Base):
    """The managed list of reasons a planner may give for an override."""

    __tablename__ = "reason_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)


class DemandPlan(Base):
    __tablename__ = "demand_plan"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "product_id", "period", name="uq_demand_plan_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    period: Mapped[date] = mapped_column(Date)
    statistical: Mapped[float] = mapped_column(Float, default=0.0)
    override: Mapped[float | None] = mapped_column(Float)
    consensus: Mapped[float] = mapped_column(Float, default=0.0)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}


class SupplyPlan(Base):
    __tablename__ = "supply_plan"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "product_id", "period", name="uq_supply_plan_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    period: Mapped[date] = mapped_column(Date)
    planned_receipts: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(10), default=SupplyKind.MAKE)
    firm: Mapped[bool] = mapped_column(Boolean, default=False)  # open order, not just a plan
    comment: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)

    __mapper_args__ = {"version_id_col": row_version}


class InventorySnapshot(Base):
    __tablename__ = "inventory_snapshot"
    __table_args__ = (UniqueConstraint("product_id", "snapshot_date", name="uq_inventory_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    snapshot_date: Mapped[date] = mapped_column(Date)
    on_hand: Mapped[float] = mapped_column(Float)
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)


# --- scenarios, cycle, KPIs -------------------------------------------------------------

class Scenario(Base):
    __tablename__ = "scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    base_plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_version.id", ondelete="SET NULL")
    )
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("sop_cycle.id", ondelete="SET NULL"))
    levers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pinned")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SopCycle(Base):
    """One monthly S&OP cycle and the stage it is in."""

    __tablename__ = "sop_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    month: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(30), default=CycleStage.DATA_GATHERING)
    stage_due: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # set once, by the executive sign-off: the approved plan's lineage (genxsop_core.cycle.workflow.freeze)
    frozen: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    frozen_by: Mapped[str | None] = mapped_column(String(64))
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[str | None] = mapped_column(String(20))  # DEMO_ORIGIN, DEMO_IMPORTED_ORIGIN or None (real)

    __mapper_args__ = {"version_id_col": row_version}


class MeetingPack(Base):
    """The XLSX or PDF meeting pack of a cycle, stored with its frozen plan."""

    __tablename__ = "meeting_pack"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("sop_cycle.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # xlsx | pdf
    file_name: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SopSignOff(Base):
    __tablename__ = "sop_signoff"
    __table_args__ = (UniqueConstraint("cycle_id", "stage", "username", name="uq_signoff_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("sop_cycle.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SopDecision(Base):
    __tablename__ = "sop_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("sop_cycle.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id", ondelete="SET NULL"))
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SopAction(Base):
    __tablename__ = "sop_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("sop_cycle.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(64))
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KpiTarget(Base):
    """Target and red/amber/green thresholds of one KPI at one level of the hierarchy."""

    __tablename__ = "kpi_target"
    __table_args__ = (UniqueConstraint("kpi", "level", "key", name="uq_kpi_target_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20), default="total")  # total|category|family|sku
    key: Mapped[str] = mapped_column(String(100), default="")
    target: Mapped[float] = mapped_column(Float)
    green: Mapped[float] = mapped_column(Float)
    amber: Mapped[float] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)


# --- people and audit ---------------------------------------------------------------------

class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(100))
    roles: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # one of the demo company's accounts (bootstrap.DEMO_USERS): refused outside demo mode, removed by go-live
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SetupToken(Base):
    """The one-time token that lets the first administrator be created in the browser: only its hash."""

    __tablename__ = "setup_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[str | None] = mapped_column(String(64))


class ApiKey(Base):
    """A service's key to the integration API (admin.api_keys): named, tied to one role and optionally
    a client id, with an expiry; only the key's SHA-256 is stored, its first characters recognise it."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(48), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditLog(Base):
    """Append-only: who did what, when, to which record, and the values before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity: Mapped[str] = mapped_column(String(60), index=True)
    key: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# --- cache generations ---------------------------------------------------------------------

class DataGeneration(Base):
    """How many times one area of data (DataArea) has changed: page caches on every replica key
    on these counters, so a write anywhere makes the figures that read that area fresh."""

    __tablename__ = "data_generation"

    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
