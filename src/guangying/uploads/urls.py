from django.urls import path

from . import views

app_name = "uploads"

urlpatterns = [
    path("tus/", views.create, name="create"),
    path("tus/<uuid:pk>", views.resource, name="resource"),
]
