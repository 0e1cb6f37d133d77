"""Read API for a plan's key projects. Scope comes from the same queryset methods as the pages:
a plan the user may not see is 404; within it, only the projects they may see are listed."""
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from indicators.models import Plan

from projects.models import Project, ProjectProgress
from projects.serializers import ProjectSerializer


class PlanProjectsApi(APIView):
    @extend_schema(responses=ProjectSerializer(many=True))
    def get(self, request, code):
        plan = get_object_or_404(Plan.objects.visible_to(request.user), code=code)
        projects = (
            Project.objects.visible_to(request.user).filter(plan=plan).select_related("box", "bureau")
            .prefetch_related(
                "counties", "quantities", "indicators",
                Prefetch("progress", queryset=ProjectProgress.objects.order_by("-year").prefetch_related("quantity_rows"),
                         to_attr="recent_progress"),
            )
        )
        return Response(ProjectSerializer(projects, many=True).data)
