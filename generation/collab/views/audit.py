"""The audit trail of a campaign (owners and staff) or of everything (staff), filterable by
action, actor and date, and exportable as a streamed CSV."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from generation import access
from generation.audit import audit_csv_rows
from generation.collab import selectors as collab_selectors
from generation.collab.selectors import AuditFilters
from generation.models import AuditEvent
from generation.parsing import query_date, query_text
from generation.studio import selectors


def _filters(request) -> AuditFilters:
    action = request.GET.get("action", "")
    return AuditFilters(
        action=action if action in AuditEvent.Action.values else "",
        actor=query_text(request, "actor", max_length=150),
        date_from=query_date(request, "date_from"),
        date_to=query_date(request, "date_to"),
    )


def _campaign(request, slug):
    if slug is None:
        if not access.can_read_studio_audit(request.user):
            raise PermissionDenied("The studio-wide audit trail is for staff.")
        return None
    campaign = selectors.campaign_for_user(request.user, slug)
    if not access.for_campaign(request.user, campaign).can_manage:
        raise PermissionDenied("Only the campaign's owners can read its audit trail.")
    return campaign


@login_required
@require_GET
def audit_log(request, slug=None):
    campaign = _campaign(request, slug)
    filters = _filters(request)
    events = collab_selectors.audit_events(campaign, filters)
    return render(
        request,
        "generation/collab/audit.html",
        {
            "campaign": campaign,
            "events": collab_selectors.audit_page(events),
            "filters": filters,
            "actions": AuditEvent.Action.choices,
            "actor_names": collab_selectors.audit_actor_names(campaign),
            "page_size": collab_selectors.AUDIT_PAGE,
            # Not `request.GET.urlencode` in the template: that is the parameter `?urlencode=`.
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def audit_csv(request, slug=None):
    campaign = _campaign(request, slug)
    qs = collab_selectors.audit_events(campaign, _filters(request))
    name = f"audit-{campaign.slug if campaign else 'studio'}-{timezone.now():%Y%m%d-%H%M}.csv"
    response = StreamingHttpResponse(audit_csv_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
