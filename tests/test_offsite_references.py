"""No page may load anything from off-site: intranets have no internet."""
import re

import pytest
from django.urls import reverse

from accounts.models import Role

from tests.factories import user_with_role

ATTRIBUTE = re.compile(r'\b(?:src|href|action)\s*=\s*["\']([^"\']*)["\']', re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.I)


def offsite(html):
    links = ATTRIBUTE.findall(html) + CSS_URL.findall(html)
    return [link for link in links if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", link, re.I)]


def page_urls(plans):
    urls = [reverse("home"), reverse("plan_list"), reverse("login"), reverse("admin:index")]
    for code in plans:
        urls += [reverse("plan_detail", args=[code])]
    return urls


@pytest.mark.django_db
def test_no_page_references_an_offsite_script_stylesheet_or_font(client, real_plans):
    client.force_login(user_with_role(Role.ADMIN))
    for url in page_urls(real_plans):
        response = client.get(url)
        assert response.status_code == 200, url
        assert offsite(response.content.decode()) == [], url


def test_the_checker_itself_catches_cdn_links():
    html = '<script src="https://cdn.plot.ly/plotly.js"></script><link href="//fonts.example/x.css"><a href="/ok">'
    assert offsite(html) == ["https://cdn.plot.ly/plotly.js", "//fonts.example/x.css"]


def test_plotly_is_served_from_our_own_static_files(client):
    from django.contrib.staticfiles import finders

    path = finders.find("vendor/plotly.min.js")
    assert path and path.endswith("plotly.min.js")
    with open(path, encoding="utf-8") as handle:
        assert "plotly" in handle.read(4096).lower()
