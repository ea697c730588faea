from django.urls import path

from . import check_views, link_views, views

app_name = "submissions"

urlpatterns = [
    path("c/<slug:slug>/entrants/<int:pk>/works/new/", views.create_work, name="create"),
    path("c/<slug:slug>/manage/works/", views.manage_list, name="manage_list"),
    path("c/<slug:slug>/manage/works/export.xlsx", views.manage_export, name="manage_export"),
    path("works/<int:pk>/", views.work_detail, name="work"),
    path("works/<int:pk>/edit/", views.work_edit, name="edit"),
    path("works/<int:pk>/upload/<str:slot>/", views.upload, name="upload"),
    path("works/<int:pk>/submit/", views.submit, name="submit"),
    path("works/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("works/<int:pk>/discard/", views.discard, name="discard"),
    path("works/<int:pk>/episodes/add/", views.add_episode, name="add_episode"),
    path("works/<int:pk>/episodes/<int:episode>/remove/", views.remove_episode,
         name="remove_episode"),
    path("works/<int:pk>/check/<str:action>/", views.formal_check, name="check"),
    path("works/<int:pk>/extend/", views.extend, name="extend"),
    path("files/<int:pk>/", views.download, name="download"),
    path("works/<int:pk>/episodes/<int:episode>/cloud-link/", link_views.hand_in_link, name="cloud_link"),
    path("c/<slug:slug>/manage/cloud-links/", link_views.links_page, name="cloud_links"),
    path("cloud-links/<int:pk>/attach/", link_views.attach_fetched, name="attach_fetched"),
    path("files/<int:pk>/report/", check_views.report, name="report"),
    path("files/<int:pk>/report/progress/", check_views.report_progress, name="report_progress"),
    path("works/<int:pk>/waive/", check_views.waive, name="waive"),
    path("c/<slug:slug>/manage/compliance/", check_views.compliance_matrix, name="compliance"),
    path("c/<slug:slug>/manage/compliance/export.xlsx", check_views.compliance_export,
         name="compliance_export"),
    path("c/<slug:slug>/manage/compliance/recheck/", check_views.recheck, name="recheck"),
]
