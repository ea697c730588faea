from django.urls import path

from . import assignment_views, audit_views, decision_views, settings_views, views, workspace

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
    path("c/<slug:slug>/rounds/add/", settings_views.add_round, name="add_round"),
    path("c/<slug:slug>/<slug:key>/settings/", settings_views.round_settings, name="settings"),
    path("c/<slug:slug>/<slug:key>/remove/", settings_views.remove_round, name="remove_round"),
    # -- assignments, conflicts, reminders --
    path("c/<slug:slug>/conflicts/", assignment_views.conflicts_page, name="conflicts"),
    path("c/<slug:slug>/conflicts/add/", assignment_views.conflict_add, name="conflict_add"),
    path("c/<slug:slug>/conflicts/<int:pk>/remove/", assignment_views.conflict_remove,
         name="conflict_remove"),
    path("c/<slug:slug>/<slug:key>/assignments/", assignment_views.assignments_page, name="assignments"),
    path("c/<slug:slug>/<slug:key>/assignments/change/", assignment_views.assignment_change,
         name="assignment_change"),
    path("c/<slug:slug>/<slug:key>/reminders/", assignment_views.reminders, name="reminders"),
    path("score/<int:pk>/conflict/", workspace.declare_conflict, name="declare_conflict"),
    path("score/<int:pk>/advance/", workspace.set_advanced, name="set_advanced"),
    # -- decisions, release, outbox --
    path("c/<slug:slug>/decisions/", decision_views.decisions_page, name="decisions"),
    path("c/<slug:slug>/decisions/levels/", decision_views.set_levels, name="decision_levels"),
    path("c/<slug:slug>/decisions/propose/", decision_views.propose, name="decision_propose"),
    path("c/<slug:slug>/decisions/stage/", decision_views.stage, name="decision_stage"),
    path("c/<slug:slug>/decisions/clear/", decision_views.clear, name="decision_clear"),
    path("c/<slug:slug>/decisions/release/", decision_views.release, name="decision_release"),
    path("c/<slug:slug>/decisions/withdraw/", decision_views.withdraw, name="decision_withdraw"),
    path("c/<slug:slug>/outbox/", decision_views.outbox_page, name="outbox"),
    path("c/<slug:slug>/outbox/send/", decision_views.outbox_send, name="outbox_send"),
    path("c/<slug:slug>/outbox/delete/", decision_views.outbox_delete, name="outbox_delete"),
    # -- score sheets and audit --
    path("c/<slug:slug>/audit/", audit_views.audit_page, name="audit"),
    path("c/<slug:slug>/audit.xlsx", audit_views.audit_xlsx, name="audit_xlsx"),
    path("c/<slug:slug>/<slug:key>/sheets/reviewers.xlsx", audit_views.reviewer_sheets,
         name="sheets_reviewers"),
    path("c/<slug:slug>/<slug:key>/sheets/works.xlsx", audit_views.work_sheets, name="sheets_works"),
]
