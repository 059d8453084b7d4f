"""Recording audit events; the request's IP is picked up without services knowing it."""

from contextvars import ContextVar

from collab.audit.models import AuditEvent
from collab.extensions import db

client_ip: ContextVar[str] = ContextVar("client_ip", default="")


def record(actor, action: str, target=None, *, group=None, **detail) -> AuditEvent:
    """Add an audit row for ``actor`` doing ``action`` to ``target`` (flushed, not
    committed)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        target_label=_label(target),
        group_id=getattr(group, "id", None),
        detail=detail,
        ip=client_ip.get(),
    )
    db.session.add(event)
    return event


def _label(target) -> str:
    for attr in ("email", "slug", "name", "title"):
        value = getattr(target, attr, None)
        if value:
            return str(value)[:300]
    return ""


def init_app(app) -> None:
    """Remember each request's client address for the records it makes."""
    from flask import request

    @app.before_request
    def _remember_ip():
        client_ip.set(request.remote_addr or "")
