from django.urls import path

from core import account

urlpatterns = [
    path("account/token/", account.api_token, name="api_token"),
]
