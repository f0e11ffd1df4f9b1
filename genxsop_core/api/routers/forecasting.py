"""/forecasting/runs (start a run, poll its progress, fetch its results with quantiles) and the seed's
POST /forecast (item_ids, prediction_length, model, quantiles).

A run is `forecasting.runs.start_run`: checked, stored, audited, executed by a detached worker
process; its reads are `forecasting.views`. POST /forecast answers a small request at once
(`forecasting.views.forecast_now`, nothing stored) and turns a large one into a run, answering
202 with the run's id and where to poll it.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from genxsop_core.api.deps import Caller, require
from genxsop_core.api.routers.params import NewUow, SignedIn, TablePaging
from genxsop_core.api.schemas import FILE_ANSWERS, Page, rows, table_answer
from genxsop_core.domain.exceptions import InvalidInput
from genxsop_core.domain.models import QUANTILE_COLUMNS
from genxsop_core.forecasting import available_models
from genxsop_core.forecasting import late_history as late
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.forecasting.frames import quantile_column

router = APIRouter(prefix="/forecasting", tags=["forecasting"])
forecast_router = APIRouter(tags=["forecasting"])

PREDICTION_LENGTH_MAX = 365  # the seed's contract; the engine's own limit in buckets is checked by the engine
SYNC_MAX_SERIES = 10  # answered at once (auto backtests every light model: about a second a series); more is a run
RUN_PATH = "/api/v1/forecasting/runs/{run_id}"
STORED = f"a run keeps {', '.join(f'{level:g}' for level in forecast_runs.QUANTILE_LEVELS[:3])} ... " \
         f"{forecast_runs.QUANTILE_LEVELS[-1]:g}"


class RunOut(BaseModel):
    id: int
    created_by: str
    created_at: datetime
    scope: str
    model: str
    horizon: int
    status: str = Field(description="queued, running, done or failed")
    progress_done: int
    progress_total: int
    finished: bool
    seconds: float | None = Field(description="how long the run worked, every timed step")
    error: str | None = Field(description="why a failed run failed")
    late_history: str | None = Field(None, description="SKUs whose history stops early and what the run did")


def _run_out(summary: forecast_views.RunSummary, notice: str | None = None) -> RunOut:
    return RunOut(id=summary.id, created_by=summary.created_by, created_at=summary.created_at, scope=summary.scope,
                  model=summary.model, horizon=summary.horizon, status=summary.status,
                  progress_done=summary.progress_done, progress_total=summary.progress_total,
                  finished=summary.finished, seconds=summary.seconds, error=summary.error, late_history=notice)


class RunRequest(BaseModel):
    scope_kind: str = Field("all", description=f"one of {', '.join(forecast_runs.SCOPE_KINDS)}")
    scope_values: list[str] = Field(default_factory=list, description="the categories, families or SKUs")
    model: str = Field("auto", description="auto, or one of GET /forecasting/models")
    horizon: int = Field(26, description="buckets ahead")
    late_history: str = Field(late.DEFAULT, description=f"one of {', '.join(late.CHOICES)}")


class RunStarted(BaseModel):
    run_id: int
    status_url: str = Field(description="poll it for progress; /results once it is done")


class ForecastIn(BaseModel):
    """The seed's forecast request."""

    item_ids: list[str] = Field(min_length=1, description="SKUs to forecast")
    prediction_length: int = Field(ge=1, le=PREDICTION_LENGTH_MAX, description="buckets ahead (weeks or months)")
    model: str = Field("auto", description="auto, or one of GET /forecasting/models")
    quantiles: list[float] = Field([0.1, 0.5, 0.9], description="levels strictly between 0 and 1")


class ForecastPoint(BaseModel):
    item_id: str
    period: date
    model: str
    mean: float
    quantiles: dict[str, float | None] = Field(description="level -> value, e.g. {'0.1': 12.0, '0.9': 30.5}")


class ForecastOut(BaseModel):
    prediction_length: int
    forecasts: list[ForecastPoint]


def _started(run_id: int) -> JSONResponse:
    path = RUN_PATH.format(run_id=run_id)
    return JSONResponse(RunStarted(run_id=run_id, status_url=path).model_dump(), status_code=202,
                        headers={"Location": path})


@router.get("/models", response_model=list[str], summary="The forecasting models this server can run")
def models(_caller: SignedIn) -> Any:
    return available_models()


@router.get("/runs", response_model=list[RunOut], summary="Recent forecast runs, newest first")
def runs(_caller: SignedIn, new_uow: NewUow, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Any:
    return [_run_out(summary) for summary in forecast_views.list_runs(new_uow(), limit)]


@router.post("/runs", response_model=RunStarted, status_code=202,
             summary="Start a forecast run in a background worker; poll its status_url")
def start_run(body: RunRequest, caller: SignedIn, new_uow: NewUow) -> Any:
    request = forecast_runs.ForecastRequest(body.scope_kind, tuple(body.scope_values), body.model, body.horizon,
                                            body.late_history)
    return _started(forecast_runs.start_run(new_uow, caller.actor, request))


@router.get("/runs/{run_id}", response_model=RunOut, summary="A run's status and progress")
def run(run_id: int, _caller: SignedIn, new_uow: NewUow) -> Any:
    return _run_out(forecast_views.get_run(new_uow(), run_id), forecast_views.late_history_notice(new_uow(), run_id))


@router.get("/runs/{run_id}/results", response_model=Page[dict[str, Any]], responses=FILE_ANSWERS,
            summary="A run's forecasts: sku, period, model, mean and the quantiles asked for (all stored by default)")
def results(run_id: int, paging: TablePaging, _caller: SignedIn, new_uow: NewUow,
            sku: Annotated[list[str] | None, Query(description="only these SKUs (repeat the parameter)")] = None,
            quantile: Annotated[list[float] | None, Query(
                description="levels, e.g. 0.1 and 0.9 (repeat the parameter); the run stores 0.01 to 0.99")] = None,
            ) -> Any:
    frame = forecast_views.run_results(new_uow(), run_id, sku)
    if quantile is not None:
        columns = [quantile_column(level) for level in quantile]
        missing = [f"{level:g}" for level, column in zip(quantile, columns) if column not in frame.columns]
        if missing:
            raise _field_error(("query", "quantile"), f"the run stores no quantile {', '.join(missing)}; {STORED}")
        frame = frame[["sku", "period", "model", "mean", *columns]]
    return table_answer(frame, paging, f"forecast_run_{run_id}")


def _field_error(location: tuple[str, str], message: str) -> RequestValidationError:
    """A refusal located on a field of the request: 422 naming it, as pydantic's own refusals do."""
    return RequestValidationError([{"loc": location, "msg": message, "type": "value_error"}])


@forecast_router.post("/forecast", response_model=ForecastOut,
                      responses={202: {"model": RunStarted, "description": "a large request became a forecast run"}},
                      summary="Forecast SKUs: at once for a few, as a background run for more")
def forecast(body: ForecastIn, caller: Annotated[Caller, Depends(require("forecast.run"))],
             new_uow: NewUow) -> Any:
    if len(set(body.item_ids)) > SYNC_MAX_SERIES:
        unstored = [f"{level:g}" for level in body.quantiles if quantile_column(level) not in QUANTILE_COLUMNS]
        if unstored:
            raise _field_error(("body", "quantiles"), f"a run stores no quantile {', '.join(unstored)}; {STORED}")
        request = forecast_runs.ForecastRequest("skus", tuple(dict.fromkeys(body.item_ids)), body.model,
                                                body.prediction_length)
        try:
            return _started(forecast_runs.start_run(new_uow, caller.actor, request))
        except InvalidInput as refused:
            raise _located(refused) from None
    try:
        frame = forecast_views.forecast_now(new_uow(), body.item_ids, body.prediction_length, body.model,
                                            body.quantiles)
    except InvalidInput as refused:
        raise _located(refused) from None
    levels = sorted(set(body.quantiles))
    points = [ForecastPoint(item_id=r["unique_id"], period=r["ds"], model=r["model"], mean=r["mean"],
                            quantiles={f"{level:g}": r[quantile_column(level)] for level in levels})
              for r in rows(frame)]
    return ForecastOut(prediction_length=body.prediction_length, forecasts=points)


def _located(refused: InvalidInput) -> Exception:
    """The engine's refusal of a horizon, a model or a quantile level, named by the request's field."""
    text = str(refused)
    field = next((name for word, name in (("horizon", "prediction_length"), ("model", "model"),
                                          ("quantile", "quantiles")) if word in text), None)
    return refused if field is None else _field_error(("body", field), text)
