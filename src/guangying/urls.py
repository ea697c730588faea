from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from guangying.campaigns import views as campaign_views


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", campaign_views.home, name="home"),
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("guangying.accounts.urls")),
    path("c/", include("guangying.campaigns.urls")),
    path("uploads/", include("guangying.uploads.urls")),
    path("play/", include("guangying.playback.urls")),
    path("d/", include("guangying.documents.urls")),
    path("r/", include("guangying.reviews.urls")),
    path("", include("guangying.submissions.urls")),
]
