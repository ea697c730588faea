from django.urls import path

from . import views, workspace

app_name = "reviews"

urlpatterns = [
    # The reviewer's own works.
    path("mine/", workspace.my_works, name="mine"),
    path("score/<int:pk>/", workspace.score_work, name="score"),
    # The organiser's desk.
    path("c/<slug:slug>/", views.rounds_page, name="rounds"),
    path("c/<slug:slug>/<slug:key>/do/<slug:action>/", views.round_action, name="action"),
    path("c/<slug:slug>/<slug:key>/results/", views.results_page, name="results"),
    path("c/<slug:slug>/<slug:key>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("c/<slug:slug>/<slug:key>/advance/", views.advance, name="advance"),
    # -- round settings --
    # -- assignments, conflicts, reminders --
    # -- decisions, release, outbox --
    # -- score sheets and audit --
]
