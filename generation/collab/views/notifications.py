"""The notifications page (the header's bell) and marking them read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from generation.collab import notifications, selectors
from generation.parsing import query_ids
from generation.studio import presenters


@login_required
@require_GET
def notification_list(request):
    items = selectors.notification_list(request.user)
    return render(request, "generation/collab/notifications.html", {"items": items})


@login_required
@require_GET
def notification_count(request):
    """What the header bell polls (static/js/bell.js): the unread count and its label."""
    count = notifications.unread_count(request.user)
    return presenters.json_response({"unread": count, "label": notifications.bell_label(count)})


@login_required
@require_POST
def notification_read(request):
    """Mark one (``id``) or all notifications read; opening one follows its link."""
    ident = (query_ids(request.POST, "id") or [None])[0]
    if ident is not None:
        notifications.notifications_mark_read(user=request.user, ids=[ident])
        item = selectors.notification_for_user(request.user, ident)
        if (
            item is not None
            and item.url
            and url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()})
        ):
            return redirect(item.url)
    else:
        notifications.notifications_mark_read(user=request.user)
    return redirect("notification_list")
