"""KPI targets: what good looks like, per KPI and node of the product hierarchy.

A target is stored for (kpi, level, key): ("wape", "total", "") for the whole business,
("fill_rate", "family", "Juice") for one family. A node without its own target uses the
nearest one above it (`target_for`), so the coordinator sets a few totals and overrides only
where a family or SKU is held to a different standard. Changes are audited with before/after.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.exc import IntegrityError

from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound
from genxsop_core.domain.hierarchy import LEVELS, Level, parent_levels
from genxsop_core.domain.models import KpiTarget
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.kpi.formulas import DEFAULT_TARGETS, KPIS
from genxsop_core.persistence.unit_of_work import UnitOfWork

TARGET_COLUMNS = ["kpi", "label", "level", "key", "target", "green", "amber", "higher_is_better"]
_LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}  # totals first
_VALUES = ("target", "green", "amber", "higher_is_better")


def list_targets(uow: UnitOfWork) -> pd.DataFrame:
    """Every stored target (TARGET_COLUMNS), in the order of the KPI registry, totals first."""
    with uow:
        stored = uow.kpi_targets.frame()
    order = {kpi: i for i, kpi in enumerate(KPIS)}
    stored = stored.assign(label=stored.kpi.map(lambda k: KPIS[k].label if k in KPIS else k),
                           higher_is_better=stored.higher_is_better.astype(bool),
                           _kpi=stored.kpi.map(order), _level=stored.level.map(_LEVEL_ORDER))
    return stored.sort_values(["_kpi", "_level", "key"])[TARGET_COLUMNS].reset_index(drop=True)


def with_defaults(targets: pd.DataFrame) -> pd.DataFrame:
    """The stored targets plus DEFAULT_TARGETS at level total for every KPI without a stored total,
    with a `source` column ("stored" or "default"): the scorecard is judged before anyone sets one."""
    have = set(targets.kpi[targets.level == "total"])
    defaults = pd.DataFrame([{"kpi": kpi, "label": KPIS[kpi].label, "level": "total", "key": "",
                              "target": spec.target, "green": spec.green, "amber": spec.amber,
                              "higher_is_better": spec.higher_is_better}
                             for kpi, spec in DEFAULT_TARGETS.items() if kpi not in have], columns=TARGET_COLUMNS)
    parts = [t for t in (targets.assign(source="stored"), defaults.assign(source="default")) if not t.empty]
    return pd.concat(parts, ignore_index=True) if parts else targets.assign(source=pd.Series(dtype=object))


def target_for(targets: pd.DataFrame, kpi: str, level: str, key: str,
               parents: Mapping[str, Any] | pd.Series | None = None) -> pd.Series | None:
    """The most specific target that applies to a node, or None.

    Fallback: a SKU uses its own target, else its family's, else its category's, else the total
    one; a family its own, else its category's, else the total; a category its own, else the
    total. `parents` is the node's row of the product hierarchy (with category and family, e.g.
    a row of `uow.demand.hierarchy()`); without it only the node's own and the total target apply.
    The returned row has the TARGET_COLUMNS of `targets` (and `source` when it has one).
    """
    chain = [(level, key)]
    if parents is not None:
        chain += [(above, parents[above]) for above in (parent_levels(level) if level in LEVELS else ())]
    chain.append((Level.TOTAL, ""))
    mine = targets[targets.kpi == kpi]
    for chain_level, chain_key in chain:
        found = mine[(mine.level == chain_level) & (mine.key == chain_key)]
        if not found.empty:
            return found.iloc[0]
    return None


def set_target(uow: UnitOfWork, actor: Actor, kpi: str, level: str, key: str, target: float, green: float,
               amber: float, higher_is_better: bool | None = None) -> None:
    """Create or change the target of a KPI for a node; refused as a whole when anything is off.

    `higher_is_better` defaults to the KPI's own direction. The thresholds must run with it:
    higher is better needs target >= green >= amber, lower is better target <= green <= amber
    (a target that scores amber would be a contradiction). Bias and tracking signal are judged
    on their size, so their thresholds are >= 0 and lower is better. Saving the same values
    again writes nothing. Of two coordinators saving a node's target at the same moment, the second
    is refused (Conflict) rather than overwriting a target it never saw.
    """
    require(actor, "kpi_targets.edit")
    key = _checked_node(kpi, level, key)
    values = _checked_values(kpi, target, green, amber, higher_is_better)
    with uow:
        if level != "total" and key not in set(uow.demand.hierarchy()[level]):
            raise NotFound(f"no {level} {key!r} in the product hierarchy")
        row = _stored(uow, kpi, level, key)
        before = None if row is None else {"kpi": kpi, "level": level, "key": key,
                                           **{f: getattr(row, f) for f in _VALUES}}
        after = {"kpi": kpi, "level": level, "key": key, **values}
        if before == after:
            return
        if row is None:
            uow.kpi_targets.add(KpiTarget(kpi=kpi, level=level, key=key, **values))
        elif not uow.kpi_targets.update_if_unchanged(row, {f: getattr(row, f) for f in _VALUES}, values):
            raise _saved_meanwhile(kpi, level, key)
        uow.publish(RecordChanged(actor.username, action="create" if row is None else "update",
                                  entity="kpi_target", key=_audit_key(kpi, level, key), before=before, after=after))
        _commit(uow, kpi, level, key)


def seed_default_targets(uow: UnitOfWork, actor: Actor) -> int:
    """Store DEFAULT_TARGETS at level total for every KPI without one; returns how many were added.

    Targets already stored (the coordinator's own) are left as they are, so this is safe to
    run again; each insert is audited.
    """
    require(actor, "kpi_targets.edit")
    added = 0
    with uow:
        have = set(uow.kpi_targets.frame().query("level == 'total' and key == ''").kpi)
        for kpi, spec in DEFAULT_TARGETS.items():
            if kpi in have:
                continue
            values = {f: getattr(spec, f) for f in _VALUES}
            uow.kpi_targets.add(KpiTarget(kpi=kpi, level="total", key="", **values))
            uow.publish(RecordChanged(actor.username, action="create", entity="kpi_target",
                                      key=_audit_key(kpi, "total", ""),
                                      after={"kpi": kpi, "level": "total", "key": "", **values}))
            added += 1
        if added:
            _commit(uow, "default targets", "total", "")
    return added


def _checked_node(kpi: str, level: str, key: str) -> str:
    """The node's key, stripped, once kpi and level are known."""
    if kpi not in KPIS:
        raise InvalidInput(f"unknown KPI {kpi!r}; choose one of {', '.join(KPIS)}")
    if level not in LEVELS:
        raise InvalidInput(f"a target is set per {', '.join(LEVELS)}, not {level!r}")
    key = (key or "").strip()
    if level == "total" and key:
        raise InvalidInput(f"the total target has no key; got {key!r} (set it per category, family or sku)")
    if level != "total" and not key:
        raise InvalidInput(f"name the {level} this target is for")
    return key


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real) or not math.isfinite(value):
        raise InvalidInput(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _checked_values(kpi: str, target: Any, green: Any, amber: Any, higher_is_better: bool | None) -> dict[str, Any]:
    spec = KPIS[kpi]
    target, green, amber = _number("target", target), _number("green", green), _number("amber", amber)
    higher = spec.higher_is_better if higher_is_better is None else bool(higher_is_better)
    got = f"(got target {target:g}, green {green:g}, amber {amber:g})"
    if spec.absolute:
        if higher:
            raise InvalidInput(f"{spec.label} is judged on its size, |value|: lower is better")
        if min(target, green, amber) < 0:
            raise InvalidInput(f"{spec.label} is judged on its size, |value|: thresholds must be 0 or more {got}")
    if higher and not target >= green >= amber:
        raise InvalidInput(f"{spec.label}: higher is better, so the target must be at least green and green "
                           f"at least amber {got}")
    if not higher and not target <= green <= amber:
        raise InvalidInput(f"{spec.label}: lower is better, so the target must be at most green and green "
                           f"at most amber {got}")
    return {"target": target, "green": green, "amber": amber, "higher_is_better": higher}


def _stored(uow: UnitOfWork, kpi: str, level: str, key: str) -> KpiTarget | None:
    return uow.kpi_targets.get(kpi, level, key)


def _audit_key(kpi: str, level: str, key: str) -> str:
    return f"{kpi}|{level}|{key}"


def _saved_meanwhile(kpi: str, level: str, key: str) -> Conflict:
    return Conflict(f"someone else saved the {kpi} target for {level} {key} at the same moment; nothing of "
                    "yours was written: reload and try again")


def _commit(uow: UnitOfWork, kpi: str, level: str, key: str) -> None:
    try:
        uow.commit()
    except IntegrityError:
        raise _saved_meanwhile(kpi, level, key) from None
