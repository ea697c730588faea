from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("new/", views.create, name="create"),
    path("join/<str:token>/", views.join, name="join"),
    path("invitation/<str:token>/", views.accept_staff, name="accept_staff"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/entrants/<int:pk>/", views.entrant, name="entrant"),
    path("<slug:slug>/manage/", views.dashboard, name="dashboard"),
    path("<slug:slug>/manage/rules/", views.settings_view, name="settings"),
    path("<slug:slug>/manage/publish/", views.publish, name="publish"),
    path("<slug:slug>/manage/units/", views.units, name="units"),
    path("<slug:slug>/manage/units/<int:pk>/", views.entrant_edit, name="entrant_edit"),
    path("<slug:slug>/manage/people/", views.people, name="people"),
]
