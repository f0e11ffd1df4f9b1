"""A forecast run's progress is on its row while it works, SKU by SKU, not only when it is done."""
from __future__ import annotations

from genxsop_core import forecasting
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from tests.conftest import actor_with

PLANNER = actor_with("demand_planner")


def test_progress_is_committed_as_skus_finish_while_the_run_works(demo, monkeypatch):
    run_id = forecast_runs.request_run(demo(), PLANNER, forecast_runs.ForecastRequest("family", ("Juice",),
                                                                                     "naive", 4))
    seen: list[tuple[str, int, int]] = []  # what another session reads as each chunk of SKUs starts
    real_chunk = forecasting.forecast_chunk
    with demo() as uow:
        skus = set(uow.demand.skus_in_scope("family", ["Juice"]))

    def watched(chunk, spec):
        if {series.unique_id for series in chunk} <= skus:  # not the hierarchy step's family, category, total
            run = forecast_views.get_run(demo(), run_id)  # a new session: only committed progress shows
            seen.append((run.status, run.progress_done, run.progress_total))
        return real_chunk(chunk, spec)

    monkeypatch.setattr(forecasting, "forecast_chunk", watched)
    forecast_runs.execute_run(demo, run_id, workers=1)
    done = forecast_views.get_run(demo(), run_id)
    assert done.status == "done", done.error
    total = done.progress_total
    assert {status for status, _, _ in seen} == {"running"} and {t for _, _, t in seen} == {total}
    counts = [d for _, d, _ in seen]
    assert counts == sorted(counts) and counts[0] == 0 and counts[-1] < total
    assert len(set(counts)) >= min(total, 5)  # it moves while the run works: 11 SKUs show 0, 1, 2, ...


def test_a_small_run_reports_each_sku_a_large_one_keeps_chunks_of_eight():
    from genxsop_core.forecasting.parallel import chunk_size

    assert chunk_size(11, 8, 20) == 1
    assert chunk_size(128, 8, 20) == 7
    assert chunk_size(5_000, 8, 20) == 8
    assert chunk_size(0, 8, 20) == 1
