from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("<slug:slug>/", views.rounds_page, name="rounds"),
    path("<slug:slug>/<slug:key>/do/<slug:action>/", views.round_action, name="action"),
    path("<slug:slug>/<slug:key>/results/", views.results_page, name="results"),
    path("<slug:slug>/<slug:key>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<slug:slug>/<slug:key>/advance/", views.advance, name="advance"),
]
