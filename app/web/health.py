"""Liveness and readiness for load balancers and orchestrators: cheap and open to anyone."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.core.errors import DatabaseUnavailable, ProblemError, problems
from app.db.migrate import head_revision, schema_revision
from app.web.state import EnginesDep

router = APIRouter(tags=["meta"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    schema_revision: str = Field(description="The migration the database is at: the newest this version knows.")


class NotMigrated(ProblemError):
    """The database is reachable but not at the schema this version needs: run `byline db upgrade`."""

    type_slug = "not-migrated"
    title = "Database not migrated"
    status = 503
    advice = "The operator should run `byline db upgrade`; then send the request again."


@router.get("/healthz", operation_id="meta-health", summary="Tell whether the process is up", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="meta-ready",
    summary="Tell whether the database is reachable and fully migrated",
    response_model=Readiness,
    responses=problems(NotMigrated, DatabaseUnavailable),
)
def readyz(engines: EnginesDep) -> Readiness:
    current, wanted = schema_revision(engines.read_primary), head_revision()
    if current != wanted:
        raise NotMigrated(f"The database is at migration {current or 'none'}; this version needs {wanted}.")
    return Readiness(status="ready", schema_revision=current)
