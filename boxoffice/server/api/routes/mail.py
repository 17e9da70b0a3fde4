"""The confirmation-mail queue for staff: list the jobs, retry a failed one."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from boxoffice.sdk.models.account import MailJob
from boxoffice.sdk.models.common import ListInfo
from boxoffice.server.api import views
from boxoffice.server.api.deps import CurrentActor, Now, SessionDep
from boxoffice.server.api.query import Id, Limit, Offset
from boxoffice.server.api.schemas import Envelope
from boxoffice.server.services import audit, mail_queue
from boxoffice.server.services.actors import require_staff

router = APIRouter(prefix="/account/v1", tags=["mail"])


@router.get("/mail", response_model=ListInfo[MailJob])
def list_mail(
    session: SessionDep,
    actor: CurrentActor,
    status: Literal["queued", "sent", "failed"] | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> JSONResponse:
    """The mail queue, newest first; staff only."""
    require_staff(actor)
    rows, total = mail_queue.list_jobs(session, status, limit=limit, offset=offset)
    return views.page(
        [MailJob.model_validate(row) for row in rows], limit=limit, offset=offset, total=total
    )


@router.post("/mail/{mail_id}/retry", response_model=Envelope[MailJob])
def retry_mail(mail_id: Id, session: SessionDep, actor: CurrentActor, now: Now) -> JSONResponse:
    """Queue a failed mail again, due at once with a fresh count of attempts; staff only."""
    require_staff(actor)
    row = mail_queue.requeue(session, mail_id, now=now)
    audit.record(
        session,
        actor=actor,
        action="mail.retried",
        object_type="mail_job",
        object_id=row.id,
        now=now,
    )
    return views.ok(MailJob.model_validate(row))
