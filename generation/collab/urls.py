"""URLs for review and approval, comments, notifications, the audit trail, share links and
exports (included from `generation.studio.urls`)."""

from django.urls import path

from generation.collab.views import audit, exports, notifications, review, sharing

urlpatterns = [
    # Review and approval
    path("images/<int:pk>/review/", review.image_review_request, name="image_review_request"),
    path("images/<int:pk>/decide/", review.image_review_decide, name="image_review_decide"),
    path("images/<int:pk>/comments/", review.image_comment, name="image_comment"),
    path("images/<int:pk>/delete/", review.image_delete, name="image_delete"),
    path("campaigns/<slug:slug>/review/", review.review_queue, name="review_queue"),
    path("campaigns/<slug:slug>/compare/", review.compare, name="compare"),
    path("campaigns/<slug:slug>/members/", review.members, name="campaign_members"),
    # Notifications
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notification_read, name="notification_read"),
    path("notifications/count.json", notifications.notification_count, name="notification_count"),
    # Audit trail
    path("campaigns/<slug:slug>/audit/", audit.audit_log, name="campaign_audit"),
    path("campaigns/<slug:slug>/audit.csv", audit.audit_csv, name="campaign_audit_csv"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit.csv", audit.audit_csv, name="audit_csv"),
    # Share links
    path("campaigns/<slug:slug>/share/", sharing.share_manage, name="share_manage"),
    path("campaigns/<slug:slug>/share/<int:pk>/revoke/", sharing.share_revoke, name="share_revoke"),
    path("s/<str:token>/", sharing.share_view, name="share_view"),
    path(
        "s/<str:token>/images/<int:pk>/<str:spec>.jpg",
        sharing.share_rendition,
        name="share_rendition",
    ),
    path("s/<str:token>/images/<int:pk>/download/", sharing.share_download, name="share_download"),
    # Exports
    path("campaigns/<slug:slug>/exports/", exports.export_create, name="export_create"),
    path("exports/<int:pk>/", exports.export_detail, name="export_detail"),
    path("exports/<int:pk>/status.json", exports.export_status, name="export_status"),
    path("exports/<int:pk>/download/<str:token>/", exports.export_download, name="export_download"),
]
