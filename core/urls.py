from django.urls import path

from . import account

urlpatterns = [
    path("account/token/", account.api_token, name="api_token"),
]
