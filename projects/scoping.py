"""Who may see, report and review which projects — the rules of `indicators.models.scoping`, applied to
projects. Bureau staff see and report only their bureau's projects of their own region; the
ecology-environment bureau (reviewer) reviews its region and below; a leader reads its region and
below; an administrator everything. Out of scope is an empty queryset, so views answer 404."""
from django.db import models

from indicators.models.scoping import region_subtree_q
from accounts.roles import user_role


def _profile(user):
    return getattr(user, "profile", None)


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        role = user_role(user)
        if role == "admin":
            return self
        profile = _profile(user)
        if role in ("reviewer", "leader"):
            return self.filter(region_subtree_q(profile.region_id, prefix="plan__region"))
        if role == "staff":
            return self.editable_by(user)
        return self.none()

    def editable_by(self, user):
        """Projects whose yearly progress this user may report: their own bureau's, in their region."""
        if user_role(user) != "staff":
            return self.none()
        profile = _profile(user)
        if not profile.bureau_id:
            return self.none()
        return self.filter(bureau_id=profile.bureau_id, plan__region_id=profile.region_id)

    def reviewable_by(self, user):
        role = user_role(user)
        if role == "admin":
            return self
        if role == "reviewer":
            return self.visible_to(user)
        return self.none()


class ProgressQuerySet(models.QuerySet):
    """Yearly progress follows the scope of its project."""

    def _through_projects(self, projects):
        return self.filter(project__in=projects)

    def visible_to(self, user):
        from projects.models import Project

        return self._through_projects(Project.objects.visible_to(user))

    def editable_by(self, user):
        from projects.models import Project

        return self._through_projects(Project.objects.editable_by(user))

    def reviewable_by(self, user):
        from projects.models import Project

        return self._through_projects(Project.objects.reviewable_by(user))
