from django.urls import path

from projects import views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("export.xlsx", views.project_export, name="project_export"),
    path("timeline/", views.project_timeline, name="project_timeline"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/progress/<int:year>/", views.progress_entry, name="project_progress_entry"),
    path("progress/<int:pk>/review/", views.progress_review, name="project_progress_review"),
    path("evidence/<int:pk>/", views.evidence_download, name="project_evidence"),
]
