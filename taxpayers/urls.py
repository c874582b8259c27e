from django.contrib.auth import views as auth_views
from django.urls import path

from taxpayers import views

urlpatterns = [
    path("", views.home, name="home"),
    path("switch", views.switch, name="switch"),
    path("g/<str:gstin>/", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
