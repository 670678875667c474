from django.contrib import admin
from django.urls import include, path

from generation.health import healthz, liveness
from generation.metrics import metrics
from generation.studio.forms.signin import AdminSignInForm

admin.site.site_header = "Firefly Campaign Studio admin"
admin.site.site_title = "Campaign Studio admin"
admin.site.login_form = AdminSignInForm  # refuses a malformed username before axes records it

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("healthz/ready", healthz, name="healthz_ready"),
    path("healthz/live", liveness, name="healthz_live"),
    path("admin/", admin.site.urls),
    path("", include("generation.studio.urls")),
]
