"""Forecast runs spread over a real 2-worker Dask LocalCluster on 127.0.0.1."""
from __future__ import annotations

import pandas as pd
import pytest

from genxsop_core import forecasting
from genxsop_core.forecasting.parallel import chunk_size
from tests.forecasting.conftest import weekly_frame

pytestmark = pytest.mark.slow


def test_dask_cluster_gives_the_same_forecasts_as_local(seasonal_weekly, intermittent_weekly):
    distributed = pytest.importorskip("distributed")
    history = weekly_frame({f"S{i}": seasonal_weekly * (1 + i / 10) for i in range(12)} | {"I": intermittent_weekly})
    local = forecasting.run(history, 8, workers=1)
    seen: list[tuple[int, int]] = []
    # workers in-process but talking TCP on 127.0.0.1: spawning worker processes under the full
    # suite's load timed out in CI ("Nanny failed to start"); the scheduler protocol is the same
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, host="127.0.0.1",
                                  protocol="tcp", dashboard_address=None) as cluster:
        remote = forecasting.run(history, 8, scheduler=cluster.scheduler_address,
                                 progress=lambda done, total: seen.append((done, total)))
    pd.testing.assert_frame_equal(local.forecasts, remote.forecasts)
    pd.testing.assert_frame_equal(local.selection, remote.selection)
    # progress moves once per finished chunk, chunks sized by the same rule the run uses
    size = chunk_size(13, forecasting.CHUNK_SIZE, forecasting.PROGRESS_STEPS)
    assert seen[-1] == (13, 13) and len(seen) == -(-13 // size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
