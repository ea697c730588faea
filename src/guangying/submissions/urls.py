from django.urls import path

from . import views

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
]
