"""Repositories: the only place that builds queries (with the read-side `views` modules).

Callers get rows, frames or counts. One module per area; every repository is re-exported here so
`from genxsop_core.persistence.repositories import ProductRepository` works.
"""
from genxsop_core.persistence.repositories._common import fingerprint
from genxsop_core.persistence.repositories.admin import (
    ApiKeyRepository,
    AuditFilter,
    AuditLogRepository,
    SetupTokenRepository,
    UserRepository,
)
from genxsop_core.persistence.repositories.cycle import CycleRepository
from genxsop_core.persistence.repositories.demand import DemandRepository
from genxsop_core.persistence.repositories.forecasting import ForecastRunRepository
from genxsop_core.persistence.repositories.generations import GenerationRepository
from genxsop_core.persistence.repositories.kpi import KpiTargetRepository
from genxsop_core.persistence.repositories.master_data import (
    InventoryRepository,
    ProductRepository,
    ResourceRepository,
)
from genxsop_core.persistence.repositories.plans import (
    DemandPlanRepository,
    PeriodTotalsRepository,
    PlanVersionRepository,
    SupplyPlanRepository,
    node_filter,
)
from genxsop_core.persistence.repositories.scenarios import ScenarioRepository
from genxsop_core.persistence.repositories.tables import TableRepository

__all__ = [
    "fingerprint", "ProductRepository", "ResourceRepository", "InventoryRepository", "UserRepository",
    "SetupTokenRepository", "ApiKeyRepository",
    "AuditFilter", "AuditLogRepository", "PlanVersionRepository", "node_filter", "PeriodTotalsRepository",
    "DemandPlanRepository", "SupplyPlanRepository", "KpiTargetRepository", "CycleRepository", "ScenarioRepository",
    "TableRepository", "DemandRepository", "ForecastRunRepository", "GenerationRepository",
]
