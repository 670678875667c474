"""The notifications page (the header's bell) and marking them read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from fireflyweb.context_processors import bell_label, unread_count
from generation.collab import review
from generation.models import Notification
from generation.studio import presenters

PAGE = 100


@login_required
@require_GET
def notification_list(request):
    items = list(
        Notification.objects.filter(recipient=request.user)
        .select_related("actor", "campaign")
        .order_by("-id")[:PAGE]
    )
    return render(request, "generation/collab/notifications.html", {"items": items})


@login_required
@require_GET
def notification_count(request):
    """What the header bell polls (static/js/bell.js): the unread count and its label."""
    count = unread_count(request.user)
    return presenters.json_response({"unread": count, "label": bell_label(count)})


@login_required
@require_POST
def notification_read(request):
    """Mark one (``id``) or all notifications read; opening one follows its link."""
    ident = request.POST.get("id", "")
    if ident.isdigit():
        review.notifications_mark_read(user=request.user, ids=[int(ident)])
        item = Notification.objects.filter(recipient=request.user, pk=int(ident)).first()
        if (
            item is not None
            and item.url
            and url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()})
        ):
            return redirect(item.url)
    else:
        review.notifications_mark_read(user=request.user)
    return redirect("notification_list")
