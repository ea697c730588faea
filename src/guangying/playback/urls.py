from django.urls import path

from . import views

app_name = "playback"

urlpatterns = [
    path("c/<slug:slug>/", views.campaign_works, name="campaign"),
    path("works/<int:pk>/", views.watch, name="work"),
    path("videos/<int:pk>/video.mp4", views.video, name="video"),
    path("videos/<int:pk>/poster.jpg", views.poster, name="poster"),
    path("videos/<int:pk>/sheet.jpg", views.contact_sheet, name="sheet"),
]
