"""Forecasting: start runs (they go on in the background), follow progress, read the results."""
import streamlit as st

from genxsop_core import forecasting
from genxsop_core.admin.overview import product_hierarchy
from genxsop_core.domain.exceptions import GenXSOPError
from genxsop_core.domain.states import UNFINISHED_RUN, RunStatus
from genxsop_core.forecasting import late_history
from genxsop_core.forecasting import runs as forecast_runs
from genxsop_core.forecasting import views as forecast_views
from genxsop_core.forecasting.frames import MAX_HORIZON
from genxsop_core.presentation.numbers import model_label
from genxsop_ui import charts, deltas, formatting, handoff, runtime, session, tables
from genxsop_ui.tabs import kept_tabs

actor = session.guard("forecasting")
st.title("Forecasting")
handoff.arrive("fc")
forecast_runs.reap_dead_runs(runtime.uow)
hierarchy = product_hierarchy(runtime.uow())
unavailable = forecasting.unavailable_models()


@st.fragment(run_every=2)
def run_progress() -> None:
    """Polls the watched run; the run itself goes on whether or not this page is open. With none
    watched, a run still working (started before the page was opened, or by someone else) is."""
    run_id = st.session_state.get("watch_run")
    if run_id is None:
        working = [r.id for r in forecast_views.list_runs(runtime.uow(), 5) if r.status in UNFINISHED_RUN]
        if not working:
            return
        run_id = st.session_state["watch_run"] = working[0]
    run = forecast_views.get_run(runtime.uow(), run_id)
    if run.status in UNFINISHED_RUN:
        share = run.progress_done / run.progress_total if run.progress_total else 0.0
        st.progress(share, text=f"Run {run.id} {run.status}: {run.progress_done} of {run.progress_total} SKUs")
        return
    del st.session_state["watch_run"]
    if run.status == RunStatus.DONE:  # show the finished run, whatever run the results picker showed before
        handoff.rerun("fc", selections={"fc_result_run": run.id})
    st.rerun(scope="app")


new_tab, results_tab, runs_tab, compare_tab = kept_tabs(["New run", "Results", "Run history", "Compare runs"],
                                                         "fc_tab")

with new_tab:
    if not session.allowed(actor, "forecast.run"):
        st.info("Your role can read forecasts but not start runs (demand planners and admins can).")
    else:
        scope_kind = st.radio("Scope", ["all", "category", "family", "skus"], horizontal=True, key="fc_scope",
                              format_func={"all": "All SKUs", "category": "Categories", "family": "Families",
                                           "skus": "Chosen SKUs"}.get)
        options = {"category": sorted(hierarchy.category.unique()), "family": sorted(hierarchy.family.unique()),
                   "skus": list(hierarchy.sku)}.get(scope_kind, [])
        scope_values = st.multiselect("Which", options, key=f"fc_values_{scope_kind}") if options else []
        left, right = st.columns(2)
        model = left.selectbox("Model", ["auto", *forecasting.available_models()], key="fc_model",
                               format_func=model_label,
                               help="auto backtests the candidates per SKU and keeps the best (or the average of the "
                                    "best two when that backtests better)")
        horizon = right.number_input("Horizon (buckets)", 1, MAX_HORIZON, 26, key="fc_horizon")
        if model != "auto":
            chosen = forecasting.get_strategy(model)
            left.caption(f"{chosen.label}: {chosen.description}")
        if unavailable:  # why (a package, a weights folder) is for admins, on System health
            why = ("System health says why" if session.allowed(actor, "system.health")
                   else "an admin sees why on System health")
            st.caption(f"Not available on this installation, so auto leaves them out: "
                       f"{', '.join(model_label(name) for name in unavailable)} ({why}).")
        bucket = runtime.settings().bucket
        late_choice = st.radio(f"A SKU whose history stops before the latest {bucket}", list(late_history.CHOICES),
                               index=list(late_history.CHOICES).index(late_history.DEFAULT), key="fc_late_history",
                               format_func=lambda choice: late_history.choice_label(choice, bucket),
                               help=f"A late data feed leaves a SKU's last {bucket}s missing. Forecast it from its "
                                    "own last data (an active SKU keeps selling), or treat it as discontinued. The "
                                    "run says which SKUs stop early either way.")
        if st.button("Run forecast", type="primary", key="fc_run"):
            try:
                request = forecast_runs.ForecastRequest(scope_kind, tuple(scope_values), model, int(horizon),
                                                        late_choice)
                st.session_state["watch_run"] = forecast_runs.start_run(runtime.uow, actor, request)
                st.success(f"Run {st.session_state['watch_run']} started. It continues if you leave this page.")
            except GenXSOPError as error:
                session.show_error(error)
    run_progress()

runs = forecast_views.list_runs(runtime.uow())
done = [r for r in runs if r.status == RunStatus.DONE]
label = {r.id: f"Run {r.id} · {r.scope} · {model_label(r.model)} · h={r.horizon} · {r.created_at:%Y-%m-%d %H:%M}"
         for r in runs}

with results_tab:
    if not done:
        st.info("No finished forecast run yet.")
    else:
        ids = [r.id for r in done]
        run_id = st.selectbox("Run", ids, format_func=label.get, key="fc_result_run")
        late_notice = forecast_views.late_history_notice(runtime.uow(), run_id)
        if late_notice:
            st.warning(late_notice)
        st.subheader("Model leaderboard")
        st.caption("Backtest error per model over the SKUs it was scored on (median), how often auto chose it alone "
                   "and how often it is part of the weighted blend auto chose.")
        tables.show(forecast_views.leaderboard(runtime.uow(), run_id), key="fc_leaderboard")
        skus = forecast_views.run_skus(runtime.uow(), run_id)
        sku = st.selectbox("SKU", skus, key="fc_sku",
                           format_func=lambda s: f"{s} · {hierarchy.set_index('sku').name.get(s, '')}")
        view = forecast_views.sku_forecast(runtime.uow(), run_id, sku)
        st.markdown(f"**Model: {model_label(view.model)}**")
        st.caption(view.reason)
        st.plotly_chart(charts.forecast_fan(view.history, view.forecast, view.backtests), width="stretch",
                        key="fc_chart")
        tables.show(view.scores, key="fc_scores")

with runs_tab:
    tables.show([{"run": r.id, "started": r.created_at, "by": r.created_by, "scope": r.scope, "model": r.model,
                  "horizon": r.horizon, "status": r.status, "skus": r.progress_total, "seconds": r.seconds,
                  "problem": r.error} for r in runs], key="fc_runs")
    failed = [r.id for r in runs if r.status == RunStatus.FAILED]
    if failed and session.allowed(actor, "forecast.run"):
        chosen = st.selectbox("Failed run", failed, format_func=label.get, key="fc_failed")
        if st.button("Re-run", key="fc_rerun"):
            st.session_state["watch_run"] = forecast_runs.rerun(runtime.uow, actor, chosen)
            st.rerun()

with compare_tab:
    if len(done) < 2:
        st.info("Two finished runs are needed for a comparison.")
    else:
        ids = [r.id for r in done]
        first = st.selectbox("Run A", ids, index=1, format_func=label.get, key="fc_cmp_a")
        second = st.selectbox("Run B", ids, index=0, format_func=label.get, key="fc_cmp_b")
        comparison = forecast_views.compare_runs(runtime.uow(), first, second, runtime.settings().bucket)
        if not comparison.comparable:
            st.info(comparison.scope())
        else:
            st.metric("Total forecast, B vs A", f"{comparison.total_b:,.0f}",
                      deltas.shown_delta(formatting.change("forecast", comparison.total_b, comparison.total_a)),
                      delta_color="off", help=f"Run A forecasts {comparison.total_a:,.0f} on the same SKUs and periods")
            st.caption(comparison.scope())
            tables.show(comparison.table, key="fc_compare")
