"""The audit trail of a campaign (owners and staff) or of everything (staff), filterable by
action, actor and date, and exportable as a streamed CSV."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from generation import access
from generation.audit import audit_csv_rows
from generation.models import AuditEvent
from generation.studio import selectors

PAGE = 200


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _filtered(request, campaign):
    qs = AuditEvent.objects.all()
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        qs = qs.filter(action=action)
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = qs.filter(actor_name__iexact=actor) if actor != "system" else qs.filter(actor=None)
    start, end = _date(request.GET.get("date_from")), _date(request.GET.get("date_to"))
    if start:
        qs = qs.filter(created_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min)))
    if end:
        limit = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
        qs = qs.filter(created_at__lt=limit)
    filters = {"action": action, "actor": actor, "date_from": start, "date_to": end}
    return qs.order_by("-id"), filters


def _campaign(request, slug):
    if slug is None:
        if not request.user.is_staff:
            raise PermissionDenied("The studio-wide audit trail is for staff.")
        return None
    campaign = selectors.campaign_for_user(request.user, slug)
    if not access.can_manage(request.user, campaign):
        raise PermissionDenied("Only the campaign's owners can read its audit trail.")
    return campaign


@login_required
@require_GET
def audit_log(request, slug=None):
    campaign = _campaign(request, slug)
    qs, filters = _filtered(request, campaign)
    actors = AuditEvent.objects.filter(campaign=campaign) if campaign else AuditEvent.objects.all()
    actor_names = sorted(
        {n for n in actors.order_by().values_list("actor_name", flat=True).distinct()[:200] if n}
    )
    return render(
        request,
        "generation/collab/audit.html",
        {
            "campaign": campaign,
            "events": list(qs.select_related("campaign")[:PAGE]),
            "filters": filters,
            "actions": AuditEvent.Action.choices,
            "actor_names": actor_names,
            "page_size": PAGE,
        },
    )


@login_required
@require_GET
def audit_csv(request, slug=None):
    campaign = _campaign(request, slug)
    qs, _ = _filtered(request, campaign)
    name = f"audit-{campaign.slug if campaign else 'studio'}-{timezone.now():%Y%m%d-%H%M}.csv"
    response = StreamingHttpResponse(audit_csv_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
