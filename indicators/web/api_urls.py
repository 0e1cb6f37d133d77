from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from indicators.web import api

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("plans/", api.PlanListApi.as_view(), name="api_plan_list"),
    path("plans/<str:code>/", api.PlanDetailApi.as_view(), name="api_plan_detail"),
    path("plans/<str:code>/evaluation", api.PlanEvaluationApi.as_view(), name="api_plan_evaluation"),
    path("plans/<str:code>/values/", api.PlanValuesApi.as_view(), name="api_plan_values"),
    path("values/<int:pk>", api.ValueApi.as_view(), name="api_value"),
    path("values/<int:pk>/approve", api.ValueActionApi.as_view(action="approve"), name="api_value_approve"),
    path("values/<int:pk>/return", api.ValueActionApi.as_view(action="return"), name="api_value_return"),
    path("values/<int:pk>/reopen", api.ValueActionApi.as_view(action="reopen"), name="api_value_reopen"),
]
