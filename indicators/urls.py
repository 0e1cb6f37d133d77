from django.urls import path

from indicators.web import (
    entry as entry_views,
    evaluation as evaluation_views,
    reports as report_views,
    review as review_views,
    plans as views,
)

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/<str:code>/", views.plan_detail, name="plan_detail"),
    path("plans/<str:code>/export.xlsx", views.plan_export, name="plan_export"),
    path("plans/<str:code>/indicators/<str:key>/", views.indicator_detail, name="indicator_detail"),
    path("plans/<str:code>/evaluation/", evaluation_views.plan_evaluation, name="plan_evaluation"),
    path("plans/<str:code>/dashboard/", evaluation_views.plan_dashboard, name="plan_dashboard"),
    path("plans/<str:code>/reports/", report_views.report_list, name="report_list"),
    path("plans/<str:code>/reports/template/", report_views.report_template, name="report_template"),
    path("plans/<str:code>/reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("plans/<str:code>/reports/<int:pk>/regenerate/", report_views.report_regenerate, name="report_regenerate"),
    path("plans/<str:code>/reports/<int:pk>/report.<str:fmt>", report_views.report_download, name="report_download"),
    path("regions/<str:region_code>/compare/", evaluation_views.city_comparison, name="city_comparison"),
    path("regions/<str:region_code>/assigned-targets/", evaluation_views.assigned_targets, name="assigned_targets"),
    path("regions/<str:region_code>/assigned-targets/xlsx/", evaluation_views.assigned_targets_download,
         name="assigned_targets_download"),
    path("regions/<str:region_code>/summary/", evaluation_views.leader_summary, name="leader_summary"),
    path("entry/<str:code>/<int:year>/", entry_views.entry_form, name="entry_form"),
    path("entry/<str:code>/<int:year>/form.xlsx", entry_views.entry_download, name="entry_download"),
    path("entry/<str:code>/<int:year>/upload/", entry_views.entry_upload, name="entry_upload"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/approve/", review_views.approve_selected, name="approve_selected"),
    path("review/plans/<str:code>/<int:year>/", review_views.plan_year_review, name="plan_year_review"),
    path("values/<int:pk>/", review_views.value_detail, name="value_detail"),
    path("values/<int:pk>/review/", review_views.value_review, name="value_review"),
    path("values/<int:pk>/judgement/", review_views.value_judgement, name="value_judgement"),
    path("evidence/<int:pk>/", review_views.evidence_download, name="evidence_download"),
]
