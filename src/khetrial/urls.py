"""URL configuration of the web application (filled in by the web layer)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
