from django.urls import path

from reporting import views

urlpatterns = [
    path("plans/<str:code>/periods/", views.period_list, name="period_list"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
