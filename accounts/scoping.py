"""The shape of access scope shared by everything a bureau reports: one mixin for the things
reported on (an indicator, a project) and one for their reported records (yearly values, yearly
progress), which follow the scope of their parent.

Why here, in `accounts`: scope is decided by a user's role and region (`accounts.roles`), and
`accounts` is the layer both `indicators` and `projects` already build on; the mixins name the
models they scope only by strings, so `accounts` imports neither app. `reporting` is the workflow
(states, submit, review) and stays out of who-sees-what.

The rules: an administrator sees everything; a reviewer (生态环境局) and a leader see their region
and every region below; bureau staff see what they may report — their own bureau's, in their own
region. A reviewer reviews what they see; an administrator reviews everything; nobody else reviews.
Out of scope is an empty queryset, so views answer 404.
"""
from django.apps import apps
from django.db.models import Q

from accounts.roles import profile_of, user_role

# Region trees are at most nation → province → city → county: three hops cover any descendant.
REGION_DEPTH = 3


def region_subtree_q(region_id, prefix="region"):
    """Q matching a region and every region below it, through `prefix`."""
    q = Q(**{f"{prefix}_id": region_id})
    path = prefix
    for _ in range(REGION_DEPTH):
        path = f"{path}__parent"
        q |= Q(**{f"{path}_id": region_id})
    return q


def subtree_region_ids(region_id):
    """A subquery of the ids of a region and every region below it. Filtering by it (`region__in`)
    lets the database start from the few regions of a subtree and follow indexes down to the rows,
    instead of joining every row of the installation to the region tree first."""
    q = Q(pk=region_id)
    path = "parent"
    for _ in range(REGION_DEPTH):
        q |= Q(**{f"{path}_id": region_id})
        path = f"{path}__parent"
    return apps.get_model("indicators", "Region").objects.filter(q).values("pk")


class ReportedScopeMixin:
    """For a QuerySet of things bureaus report on. Set `region_path` (the lookup to its region);
    define `editable_by(user)`: what that user's bureau reports."""

    region_path = "plan__region"

    def visible_to(self, user):
        role = user_role(user)
        if role == "admin":
            return self
        if role in ("reviewer", "leader"):
            return self.filter(**{f"{self.region_path}__in": subtree_region_ids(profile_of(user).region_id)})
        if role == "staff":
            return self.editable_by(user)
        return self.none()

    def editable_by(self, user):
        raise NotImplementedError

    def reviewable_by(self, user):
        role = user_role(user)
        if role == "admin":
            return self
        if role == "reviewer":
            return self.visible_to(user)
        return self.none()


class FollowsParentScopeMixin:
    """For a QuerySet of reported records: a record is in scope exactly when its parent is.
    Set `parent_field` (the foreign key, e.g. "indicator") and `parent_model` ("app.Model");
    the parent's queryset decides."""

    parent_field = ""
    parent_model = ""

    def _through_parent(self, method, user):
        parents = getattr(apps.get_model(self.parent_model).objects, method)(user)
        return self.filter(**{f"{self.parent_field}__in": parents})

    def visible_to(self, user):
        return self._through_parent("visible_to", user)

    def editable_by(self, user):
        return self._through_parent("editable_by", user)

    def reviewable_by(self, user):
        return self._through_parent("reviewable_by", user)
