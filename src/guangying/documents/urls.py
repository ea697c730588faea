from django.urls import path

app_name = "documents"

urlpatterns: list = []

from . import package_views  # noqa: E402

urlpatterns += [
    path("<slug:slug>/entrants/<int:pk>/package.zip", package_views.package, name="entrant_package"),
]
