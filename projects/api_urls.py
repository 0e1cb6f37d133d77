from django.urls import path

from projects import api

urlpatterns = [
    path("plans/<str:code>/projects/", api.PlanProjectsApi.as_view(), name="api_plan_projects"),
]
