"""Who may see, report and review which projects — the same shape as indicators and their values
(`accounts.scoping`): bureau staff see and report only their bureau's projects of their own
region; the ecology-environment bureau (reviewer) reviews its region and below; a leader reads its
region and below; an administrator everything. Out of scope is an empty queryset, so views answer 404."""
from django.db import models

from accounts.roles import profile_of, user_role
from accounts.scoping import FollowsParentScopeMixin, ReportedScopeMixin


class ProjectQuerySet(ReportedScopeMixin, models.QuerySet):
    region_path = "plan__region"

    def editable_by(self, user):
        """Projects whose yearly progress this user may report: their own bureau's, in their region."""
        if user_role(user) != "staff":
            return self.none()
        profile = profile_of(user)
        if not profile.bureau_id:
            return self.none()
        return self.filter(bureau_id=profile.bureau_id, plan__region_id=profile.region_id)


class ProgressQuerySet(FollowsParentScopeMixin, models.QuerySet):
    """Yearly progress follows the scope of its project."""

    parent_field = "project"
    parent_model = "projects.Project"
