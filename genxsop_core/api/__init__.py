"""The integration API (issue 19): a FastAPI application over the same services the app and the CLI call.

`app.create_app` builds it; `routers/` holds one module per area, listed in `routers.ROUTERS`;
`deps.py` says who calls (bearer token or API key) and hands out units of work; `errors.py` turns
the domain exceptions into one JSON error shape; `schemas.py` holds the shared models (a page of
rows) and answers a table as JSON, CSV or Parquet. No rule lives here: an endpoint reads its
parameters, calls a service or a view, and shapes the answer.
"""
