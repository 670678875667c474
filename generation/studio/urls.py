from django.contrib.auth import views as auth_views
from django.urls import include, path

from generation.studio.views import auth, campaigns, generations, images

urlpatterns = [
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Campaigns and their galleries
    path("", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<slug:slug>/", campaigns.campaign_gallery, name="campaign_gallery"),
    path("campaigns/<slug:slug>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<slug:slug>/live", campaigns.campaign_live, name="campaign_live"),
    path(
        "campaigns/<slug:slug>/generations/",
        campaigns.campaign_generations,
        name="generation_list",
    ),
    path("campaigns/<slug:slug>/generate/", generations.generation_new, name="generation_new"),
    # Generations
    path("generations/<int:pk>/", generations.generation_detail, name="generation_detail"),
    path(
        "generations/<int:pk>/status.json", generations.generation_status, name="generation_status"
    ),
    path("generations/<int:pk>/cancel/", generations.generation_cancel, name="generation_cancel"),
    path("generations/<int:pk>/retry/", generations.generation_retry, name="generation_retry"),
    # Images and their files (always through these authorising views, never MEDIA_URL)
    path("images/<int:pk>/", images.image_detail, name="image_detail"),
    path("images/<int:pk>/favourite/", images.image_favourite, name="image_favourite"),
    path("images/<int:pk>/original/<str:name>", images.image_original, name="image_original"),
    path("images/<int:pk>/download/", images.image_download, name="image_download"),
    path("renditions/<int:pk>/<str:name>", images.rendition_file, name="rendition_file"),
    # Review, comments, notifications, audit trail, share links and exports
    path("", include("generation.collab.urls")),
]
