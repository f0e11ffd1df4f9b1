"""GET /health: does the API answer and does its database (for load balancers and monitoring; no sign-in)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from genxsop_core.api.deps import settings
from genxsop_core.api.errors import error_response
from genxsop_core.config import Settings
from genxsop_core.persistence.db import probe

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: Literal["ok"]
    database_millis: float  # how long `select 1` took


@router.get("/health", response_model=Health, responses={503: {"description": "the database does not answer"}})
def health(current: Annotated[Settings, Depends(settings)]) -> Health | JSONResponse:
    """Nothing about the data or where the database is: this answers anyone."""
    try:
        answer = probe(current.database_url)
    except SQLAlchemyError:
        return error_response(503, "database_unavailable", "the database does not answer")
    return Health(status="ok", database_millis=round(answer.millis, 1))
