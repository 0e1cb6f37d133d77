"""The authentication backend reads the signed-in user with profile, region and bureau in one
query, and sessions signed in with Django's own ModelBackend before it stay valid."""
import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import ProfileBackend
from accounts.models import Role
from indicators.models import Bureau, Region

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_profile_region_and_bureau_in_one_query(real_plans):
    bureau = Bureau.objects.get(region__code="140826", name="林业局")
    user = user_with_role(Role.BUREAU_STAFF, bureau=bureau)
    with CaptureQueriesContext(connection) as queries:
        loaded = ProfileBackend().get_user(user.pk)
        names = (loaded.profile.role, loaded.profile.bureau.name, loaded.profile.bureau.region.name)
    assert len(queries) == 1
    assert names == (Role.BUREAU_STAFF, "林业局", "绛县")


def test_a_user_without_a_profile_or_an_inactive_one_is_handled_like_modelbackend(db, django_user_model):
    bare = django_user_model.objects.create_user("bare", password="x" * 12)
    assert ProfileBackend().get_user(bare.pk) == bare
    bare.is_active = False
    bare.save()
    assert ProfileBackend().get_user(bare.pk) is None
    assert ProfileBackend().get_user(10 ** 9) is None


def test_new_sign_ins_use_it_and_old_modelbackend_sessions_still_work(client, real_plans):
    reviewer = user_with_role(Role.REVIEWER, region=Region.objects.get(code="140800"))
    client.force_login(reviewer)
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.ProfileBackend"
    assert client.get(reverse("review_queue")).status_code == 200
    client.logout()
    client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("review_queue")).status_code == 200
