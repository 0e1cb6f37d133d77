"""What the project list shows beside each project, read for a whole page at once.

A page of 25–100 projects shows each one's counties (所在县) and planned quantities (工程量).
Prefetching them builds a related manager per project and per relation, which cost the list more
than its queries; `attach_list_details` reads both as two plain queries for the page instead."""
from typing import NamedTuple

from projects.models import Project, Quantity


class ListDetails(NamedTuple):
    county_names: list  # in region-code order
    quantities: list  # Quantity instances in printed order


def attach_list_details(projects):
    """Set `.list_details` on each project of a page (two queries whatever the page size)."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    names, quantities = {}, {}
    through = Project.counties.through
    for project_id, name in (through.objects.filter(project_id__in=ids).order_by("region__code")
                             .values_list("project_id", "region__name")):
        names.setdefault(project_id, []).append(name)
    for quantity in Quantity.objects.filter(project_id__in=ids).order_by("order", "pk"):
        quantities.setdefault(quantity.project_id, []).append(quantity)
    for project in projects:
        project.list_details = ListDetails(names.get(project.pk, []), quantities.get(project.pk, []))
    return projects
