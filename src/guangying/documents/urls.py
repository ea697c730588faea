from django.urls import path

from . import package_views, views

app_name = "documents"

urlpatterns = [
    # The notices' forms, the lists and the published list.
    path("works/<int:pk>/<slug:key>.<str:fmt>", views.work_document, name="work_document"),
    path("entrants/<int:pk>/", views.entrant_page, name="entrant"),
    path("entrants/<int:pk>/summary.<str:fmt>", views.entrant_summary, name="entrant_summary"),
    path("entrants/<int:pk>/doc/<slug:key>.<str:fmt>", views.entrant_document, name="entrant_document"),
    path("<slug:slug>/forms/", views.campaign_page, name="campaign"),
    path("<slug:slug>/forms/summary.<str:fmt>", views.campaign_summary, name="campaign_summary"),
    path("<slug:slug>/forms/published.<str:fmt>", views.published_list, name="published"),
    # An entrant's package: every file of its works in one streamed ZIP.
    path("<slug:slug>/entrants/<int:pk>/package.zip", package_views.package, name="entrant_package"),
]
