"""The dependencies the planning routers take, as `Annotated` parameter types (FastAPI's own style;
a `Depends(...)` call as a default is what bugbear's B008 flags)."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from genxsop_core.api.deps import Caller, UowFactory, current_caller, uow_factory
from genxsop_core.api.schemas import Paging

SignedIn = Annotated[Caller, Depends(current_caller)]  # any caller: a viewer reads everything
NewUow = Annotated[UowFactory, Depends(uow_factory)]
TablePaging = Annotated[Paging, Depends()]
