"""Who may see and change what — the one place access scope is decided.

Every view, export and API endpoint takes its objects through these queryset methods, so a user
outside a scope gets an empty queryset (and therefore 404), never a forbidden page that confirms
the object exists. Indicators and their values share the shape of project scoping through the
mixins of `accounts.scoping` (where `region_subtree_q` lives too).
"""
from django.db import models
from django.db.models import Q

from accounts.roles import profile_of as _profile, user_role
from accounts.scoping import REGION_DEPTH, FollowsParentScopeMixin, ReportedScopeMixin, region_subtree_q

__all__ = ["RegionQuerySet", "PlanQuerySet", "IndicatorQuerySet", "ValueQuerySet", "TargetQuerySet", "region_subtree_q"]


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user):
        role = user_role(user)
        if role == "admin":
            return self
        profile = _profile(user)
        if role in ("reviewer", "leader"):
            return self.subtree(profile.region_id)
        if role == "staff":
            return self.filter(pk=profile.region_id)
        return self.none()

    def subtree(self, region_id):
        """A region and every region below it."""
        q = Q(pk=region_id)
        path = "parent"
        for _ in range(REGION_DEPTH):
            q |= Q(**{f"{path}_id": region_id})
            path = f"{path}__parent"
        return self.filter(q)


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        role = user_role(user)
        if role == "admin":
            return self
        profile = _profile(user)
        if role in ("reviewer", "leader"):
            return self.filter(region_subtree_q(profile.region_id))
        if role == "staff":
            return self.filter(region_id=profile.region_id)
        return self.none()

    def reviewable_by(self, user):
        role = user_role(user)
        if role in ("admin", "reviewer"):
            return self.visible_to(user)
        return self.none()


class IndicatorQuerySet(ReportedScopeMixin, models.QuerySet):
    region_path = "plan__region"

    def editable_by(self, user):
        """Indicators whose yearly values this user may enter: a bureau's own rows (and the
        sub-rows of its rows). Reviewers and administrators correct through review, not entry."""
        role = user_role(user)
        if role != "staff":
            return self.none()
        profile = _profile(user)
        return self.filter(
            Q(bureaus=profile.bureau_id) | Q(parent__bureaus=profile.bureau_id),
            plan__region_id=profile.region_id,
        ).distinct()


class ValueQuerySet(FollowsParentScopeMixin, models.QuerySet):
    """Reported values follow the scope of their indicator."""

    parent_field = "indicator"
    parent_model = "indicators.Indicator"


class TargetQuerySet(models.QuerySet):
    def assignable_by(self, user):
        """下达目标 are recorded by the level above: a reviewer for the plans of the regions below
        its own (a city reviewer for its counties), an administrator for any."""
        role = user_role(user)
        if role == "admin":
            return self.filter(kind="assigned")
        if role != "reviewer":
            return self.none()
        region_id = _profile(user).region_id
        return self.filter(region_subtree_q(region_id, prefix="indicator__plan__region"), kind="assigned").exclude(
            indicator__plan__region_id=region_id
        )
