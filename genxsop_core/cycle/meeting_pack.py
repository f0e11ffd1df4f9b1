"""The S&OP meeting pack: every table of a cycle as XLSX, and the PDF the executive meeting reads.

The XLSX is the record (all rows of the plans, the policy, the capacity check, the lineage); the
PDF is the agenda: a title page with the approval, then KPIs against targets, the demand and
supply outlook, capacity, the scenario comparison, decisions and actions, and the top inventory
exceptions. Both are stored with the cycle (MeetingPack, with the SHA-256 of their bytes), so what
the meeting saw can be shown again and checked. A pack can be made at any stage: before the
executive sign-off it is a draft (for the pre-S&OP), after it the frozen plan; the file name says
which. Reads go through the views the pages use, so the pack shows the numbers the screens show.
"""
from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape  # nosec B406 # escapes text for reportlab; parses nothing

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from genxsop_core.cycle.dashboard import plan_outlook
from genxsop_core.cycle.pack_charts import pack_charts
from genxsop_core.cycle.workflow import STAGE_LABELS, cycle_view
from genxsop_core.domain.events import RecordChanged
from genxsop_core.domain.exceptions import Conflict, InvalidInput, NotFound
from genxsop_core.domain.models import MeetingPack, utcnow
from genxsop_core.domain.permissions import Actor, require
from genxsop_core.domain.states import PlanKind
from genxsop_core.inventory.views import compute_view
from genxsop_core.io.exporter import workbook_bytes
from genxsop_core.kpi.formulas import KPIS
from genxsop_core.kpi.views import load_kpi_data, summary_of
from genxsop_core.persistence.unit_of_work import UnitOfWork
from genxsop_core.plans.data import load_plan_data
from genxsop_core.presentation.fields import FIELDS, field, label, words
from genxsop_core.presentation.numbers import format_value, plural, show
from genxsop_core.scenarios.levers import SUMMARY_LABELS
from genxsop_core.scenarios.pinned import MAX_COMPARED, REBALANCED, list_pinned, was_rebalanced
from genxsop_core.supply.views import capacity_check

SHEETS: tuple[str, ...] = ("KPIs", "Demand plan", "Supply plan", "Inventory policy", "Exceptions", "Capacity",
                           "Scenarios", "Decisions", "Actions", "Sign-offs", "Lineage")
DEMAND_COLUMNS = ["sku", "name", "family", "period", "statistical", "override", "consensus", "reason_code", "comment"]
SUPPLY_COLUMNS = ["sku", "period", "planned_receipts", "kind", "firm"]
POLICY_COLUMNS = ["sku", "name", "class", "safety_stock", "reorder_point", "order_quantity", "on_hand",
                  "weeks_of_cover"]
CAPACITY_COLUMNS = ["resource", "period", "load_hours", "capacity_hours", "utilization", "overloaded"]
SCENARIO_COLUMNS = ["id", "name", "status", "note", "created_by"]
TOP_EXCEPTIONS = 15
NOT_FROZEN = "not frozen yet: the executive S&OP sign-off freezes the plan's lineage"
_UNIT_OF_KPI = {spec.label: spec.unit for spec in KPIS.values()}
_WIDE = {"text": 4.0, "comment": 3.0, "note": 3.0, "name": 2.5, "label": 2.5, "KPI": 2.5, "Figure": 2.0}
_RAG = {"green": colors.HexColor("#c7e9c0"), "amber": colors.HexColor("#fdd49e"), "red": colors.HexColor("#fcbba1")}
_PAGE = landscape(A4)
_MARGIN = 36.0
_WIDTH = _PAGE[0] - 2 * _MARGIN
_STYLES = getSampleStyleSheet()
_CELL = _STYLES["BodyText"].clone("pack-cell", fontSize=8, leading=10)


@dataclass(frozen=True)
class _Gathered:
    """What one pack shows: its tables, the outlook for the chart, and the cycle's facts."""

    name: str
    month: date
    stage: str
    frozen: bool
    tables: dict[str, pd.DataFrame]
    outlook: pd.DataFrame
    descriptions: dict[str, str]  # reason code -> description, retired codes included


def _lineage(frozen: dict | None) -> pd.DataFrame:
    """The frozen lineage as key/value rows (dotted keys; a list of records gives a row per record)."""
    def flat(value: Any, key: str) -> Iterator[tuple[str, Any]]:
        if isinstance(value, dict):
            for name, inner in value.items():
                yield from flat(inner, f"{key}.{name}" if key else str(name))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, record in enumerate(value):
                yield f"{key}[{i}]", json.dumps(record, default=str)
        else:
            yield key, json.dumps(value, default=str) if isinstance(value, list) else value
    rows = list(flat(frozen, "")) if frozen else [("frozen", NOT_FROZEN)]
    return pd.DataFrame(rows, columns=["key", "value"])


def _scenarios(pinned: pd.DataFrame) -> pd.DataFrame:
    """Pinned scenarios with one column per summary figure (its key: the catalogue labels it as the
    scenario page does, and knows which figures are money and which rates)."""
    results = list(pinned.get("results", []))
    figures = pd.DataFrame([{key: (found or {}).get(key) for key in SUMMARY_LABELS} for found in results],
                           columns=list(SUMMARY_LABELS))
    marked = pd.DataFrame({REBALANCED: [was_rebalanced(found) for found in results]}, dtype=bool)
    return pd.concat([pinned.reindex(columns=SCENARIO_COLUMNS).reset_index(drop=True), marked, figures], axis=1)


def _gather(uow_factory: Callable[[], UnitOfWork], cycle_id: int) -> _Gathered:
    view = cycle_view(uow_factory(), cycle_id)
    with uow_factory() as uow:
        demand, supply = uow.plans.for_cycle(PlanKind.DEMAND, cycle_id), uow.plans.for_cycle(PlanKind.SUPPLY, cycle_id)
        if demand is None:
            raise InvalidInput(f"{view.name} has no demand plan yet: a meeting pack needs the cycle's consensus plan")
        demand_id, supply_id = demand.id, (supply.id if supply is not None else None)
        demand_rows = uow.demand_plans.frame([demand_id])
        supply_rows = uow.supply_plans.frame([supply_id] if supply_id is not None else [])
        descriptions = {c.code: c.description for c in uow.plans.reason_codes(active_only=False)}
    data = load_plan_data(uow_factory(), demand_id, supply_id)
    inventory = compute_view(data)
    kpis = summary_of(load_kpi_data(uow_factory()), "total")
    tables = {
        "KPIs": kpis[["label", "month", "latest", "target", "status"]],
        "Demand plan": demand_rows.assign(period=demand_rows.period.dt.date)[DEMAND_COLUMNS],
        "Supply plan": supply_rows.assign(period=supply_rows.period.dt.date)[SUPPLY_COLUMNS],
        "Inventory policy": inventory.policy[POLICY_COLUMNS],
        "Exceptions": inventory.exceptions,
        "Capacity": capacity_check(data)[CAPACITY_COLUMNS],
        "Scenarios": _scenarios(list_pinned(uow_factory(), demand_id)),
        "Decisions": view.decisions, "Actions": view.actions, "Sign-offs": view.signoffs,
        "Lineage": _lineage(view.frozen),
    }
    return _Gathered(view.name, view.month, view.stage, bool(view.frozen), tables, plan_outlook(data), descriptions)


def pack_tables(uow_factory: Callable[[], UnitOfWork], cycle_id: int) -> dict[str, pd.DataFrame]:
    """Every table of the cycle, by sheet name (SHEETS order)."""
    return _gather(uow_factory, cycle_id).tables


def build_xlsx(tables: dict[str, pd.DataFrame], descriptions: dict[str, str] | None = None) -> bytes:
    """One sheet per table in the planner's words and formats (workbook_bytes, labelled): headers from the
    field catalogue, numbers formatted by kind (a KPI's value by its unit, row by row), dates without a
    time, widths fitted, the header frozen; text cells neutralised against formula injection.
    `descriptions` shows each reason code with its description."""
    row_kinds = {}
    if "KPIs" in tables:
        row_kinds["KPIs"] = tables["KPIs"].label.map(_UNIT_OF_KPI).fillna("decimal").reset_index(drop=True)
    if "Lineage" in tables:  # values of every kind, ids among them: shown as they are
        row_kinds["Lineage"] = pd.Series("text", index=range(len(tables["Lineage"])))
    return workbook_bytes(tables, labelled=True, descriptions=descriptions, row_kinds=row_kinds)


def _text(value: Any) -> str:
    """A cell as the PDF prints it (plain text: the caller escapes it)."""
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp
        return f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else f"{stamp:%Y-%m-%d %H:%M}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 or value.is_integer() else f"{value:,.2f}"
    return str(value)


def _cell(name: str, value: Any) -> str:
    """A cell of the field `name` as the screens show it (the catalogue's kind: 1,234, €5,678, 17.9%, codes
    in words); a column the catalogue does not know (a table built for the PDF) as plain text."""
    known = FIELDS.get(name)
    return show(name, value) if known is not None and known.kind not in ("text", "flag") else _text(value)


def _p(text: str, style: Any = _CELL) -> Paragraph:
    """A paragraph of plain text: &, < and > are escaped, so user text never becomes markup."""
    return Paragraph(escape(text), style)


def _table(frame: pd.DataFrame, shades: list[Any] | None = None) -> Table | Paragraph:
    """A wrapped, striped table filling the page width; `shades` colours whole rows (None: none)."""
    if frame.empty:
        return _p("None recorded.", _STYLES["BodyText"])
    weights = [_WIDE.get(str(c), 1.0) for c in frame.columns]
    names = [str(c) for c in frame.columns]
    cells = [[Paragraph(f"<b>{escape(label(c) if c in FIELDS else c)}</b>", _CELL) for c in names]]
    cells += [[_p(_cell(c, v)) for c, v in zip(names, row)] for row in frame.itertuples(index=False)]
    table = Table(cells, repeatRows=1, colWidths=[_WIDTH * w / sum(weights) for w in weights])
    style: list[tuple[Any, ...]] = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dbe4f0")),
             ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")])]
    style += [("BACKGROUND", (0, i), (-1, i), shade) for i, shade in enumerate(shades or [], 1) if shade is not None]
    table.setStyle(TableStyle(style))
    return table


def _image(png: bytes | None, max_height: float = 380.0) -> Image | Paragraph:
    if not png:
        return _p("No chart.", _STYLES["BodyText"])
    width, height = ImageReader(io.BytesIO(png)).getSize()
    scale = min(_WIDTH / width, max_height / height)
    return Image(io.BytesIO(png), width=width * scale, height=height * scale)


def _value(value: Any, unit: str) -> str:
    """A KPI's value in its unit, as the screens show it (97.3%, 8.40, 35 days)."""
    shown = format_value(value, unit if unit in ("percent", "ratio", "days") else "decimal")
    return f"{shown} days" if shown and unit == "days" else shown


def _kpi_section(kpis: pd.DataFrame) -> list[Any]:
    shown = pd.DataFrame({"KPI": kpis.label, "Month": pd.to_datetime(kpis.month).dt.strftime("%b %Y"),
                          "Latest": [_value(v, _UNIT_OF_KPI.get(k, "")) for k, v in zip(kpis.label, kpis.latest)],
                          "Target": [_value(v, _UNIT_OF_KPI.get(k, "")) for k, v in zip(kpis.label, kpis.target)],
                          "Status": kpis.status.map(words)})
    return [_table(shown, [_RAG.get(s) for s in kpis.status])]


def _capacity_section(capacity: pd.DataFrame, chart: bytes | None) -> list[Any]:
    finite = capacity[capacity.utilization.abs() != float("inf")]
    peak = finite.groupby("resource").utilization.max().sort_values(ascending=False)
    overloaded = int(capacity.overloaded.sum())
    summary = f"{overloaded:,} of {plural(len(capacity), 'resource-period')} {'is' if overloaded == 1 else 'are'} " \
              "overloaded"
    if len(peak):
        summary += (f"; the busiest resource is {peak.index[0]} at {format_value(peak.iloc[0], 'percent')} of its "
                    "capacity at peak")
    return [_p(summary + ".", _STYLES["BodyText"]), _image(chart)]


def _scenario_section(scenarios: pd.DataFrame) -> list[Any]:
    """The newest pinned scenarios' figures side by side, with their decision notes."""
    if scenarios.empty:
        return [_p("No scenario is pinned on this plan.", _STYLES["BodyText"])]
    shown = scenarios.head(MAX_COMPARED)
    side = pd.DataFrame({"Figure": list(SUMMARY_LABELS.values())})
    for _, row in shown.iterrows():
        name = f"{row['name']} (#{row['id']}{', rebalanced' if row[REBALANCED] else ''})"
        side[name] = [format_value(row[key], field(key).kind) for key in SUMMARY_LABELS]
    notes = [_p(f"#{r.id} {r.name} ({r.status}, by {r.created_by}): {r.note or 'no note'}", _STYLES["BodyText"])
             for r in shown.itertuples(index=False)]
    more = [_p(f"The {MAX_COMPARED} newest of {len(scenarios)} pinned scenarios; the XLSX lists all.",
               _STYLES["Italic"])] if len(scenarios) > MAX_COMPARED else []
    return [_table(side), Spacer(1, 8), *notes, *more]


def _title_page(cycle_name: str, stage: str | None, tables: dict[str, pd.DataFrame]) -> list[Any]:
    lineage = dict(zip(tables["Lineage"].key, tables["Lineage"].value))
    approved = f"Plan approved by {lineage['approved_by']} at {_text(pd.Timestamp(lineage['approved_at']))} UTC" \
        if lineage.get("approved_by") else "Plan not yet approved: a draft pack"
    lines = [approved, f"Generated at {_text(utcnow())} UTC"]
    if stage:
        lines.insert(0, f"Stage: {STAGE_LABELS.get(stage, stage)}")
    return [_p(f"{cycle_name}: meeting pack", _STYLES["Title"]), *[_p(t, _STYLES["Heading3"]) for t in lines],
            Spacer(1, 12), _p("Sign-offs", _STYLES["Heading2"]), _table(tables["Sign-offs"])]


def build_pdf(cycle_name: str, tables: dict[str, pd.DataFrame], charts: dict[str, bytes],
              stage: str | None = None) -> bytes:
    """The meeting's PDF from `pack_tables` and `pack_charts.pack_charts`: a title page, then a page per section."""
    exceptions = tables["Exceptions"].head(TOP_EXCEPTIONS)
    sections: list[tuple[str, list[Any]]] = [
        ("KPIs against targets", _kpi_section(tables["KPIs"])),
        ("Demand and supply outlook", [_image(charts.get("outlook"))]),
        ("Capacity", _capacity_section(tables["Capacity"], charts.get("capacity"))),
        ("Scenario comparison", _scenario_section(tables["Scenarios"])),
        ("Decisions and actions", [_p("Decisions", _STYLES["Heading2"]),
                                   _table(tables["Decisions"][["text", "decided_by", "decided_at", "scenario_id"]]),
                                   _p("Actions", _STYLES["Heading2"]),
                                   _table(tables["Actions"][["text", "owner", "due", "status", "created_by"]])]),
        (f"Inventory exceptions (top {TOP_EXCEPTIONS} by money at risk)",
         [_table(exceptions.reindex(columns=["sku", "name", "exception", "from", "until", "units", "money_at_risk",
                                             "weeks_of_cover"]))]),
    ]
    story = _title_page(cycle_name, stage, tables)
    for heading, flowables in sections:
        story += [PageBreak(), _p(heading, _STYLES["Heading1"]), *flowables]

    def footer(canvas: Any, document: Any) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(_MARGIN, _MARGIN / 2, f"{cycle_name} - meeting pack - page {document.page}")

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=_PAGE, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN,
                                 bottomMargin=_MARGIN, title=f"{cycle_name} meeting pack", author="GenXSOP")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def generate_pack(uow_factory: Callable[[], UnitOfWork], actor: Actor, cycle_id: int) -> tuple[int, int]:
    """Build the XLSX and the PDF of a cycle and store both in one audited transaction; (xlsx id, pdf id)."""
    require(actor, "cycle.pack")
    pack = _gather(uow_factory, cycle_id)
    state = "frozen" if pack.frozen else "draft"
    stem = f"sop-{pack.month:%Y-%m}-{state}"
    charts = pack_charts(pack.outlook, pack.tables["Capacity"])
    files = {"xlsx": (f"{stem}.xlsx", build_xlsx(pack.tables, pack.descriptions)),
             "pdf": (f"{stem}.pdf", build_pdf(pack.name, pack.tables, charts, stage=pack.stage))}
    with uow_factory() as uow:
        cycle = uow.plans.cycle(cycle_id)
        if cycle is None:
            raise NotFound(f"no S&OP cycle {cycle_id}")
        if bool(cycle.frozen) != pack.frozen:
            raise Conflict(f"{cycle.name} was frozen while its pack was being built: generate the pack again")
        rows = [MeetingPack(cycle_id=cycle.id, kind=kind, file_name=name, content=content,
                            sha256=hashlib.sha256(content).hexdigest(), created_by=actor.username)
                for kind, (name, content) in files.items()]
        uow.cycles.add_packs(rows)
        uow.publish(RecordChanged(actor.username, action="meeting_pack", entity="sop_cycle", key=f"{cycle.name}|pack",
                                  after={"state": state, "stage": cycle.stage, "files": [
                                      {"id": r.id, "kind": r.kind, "file_name": r.file_name, "size": len(r.content),
                                       "sha256": r.sha256} for r in rows]}))
        uow.commit()
        return rows[0].id, rows[1].id


def list_packs(uow: UnitOfWork, cycle_id: int) -> pd.DataFrame:
    """id, kind, file_name, size (bytes), sha256, created_by, created_at of a cycle's packs, newest first."""
    with uow:
        return uow.cycles.packs(cycle_id)


def pack_content(uow: UnitOfWork, pack_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of a stored pack, for the download button."""
    with uow:
        pack = uow.cycles.pack(pack_id)
        if pack is None:
            raise NotFound(f"no meeting pack {pack_id}")
        return pack.file_name, bytes(pack.content)
