"""Request guards: a friendly 503 when the database is down, a clear 400 for NUL characters,
413 for an oversized body, no caching of anything a signed-in user sees, and a notice when
background work had to be queued because the broker is down."""
import json
import logging

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse

from core import deferred
from core.security import has_nul

log = logging.getLogger(__name__)

NUL_MESSAGE = "提交的内容含有不可见的空字符（NUL），无法保存。请删除从其他软件复制来的特殊字符后重试。"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_outage(exception):
            return None
        log.error("database unavailable: %s", exception)
        return unavailable_response(request)


UNAVAILABLE_MESSAGE = "数据库暂时无法连接，您的数据没有丢失。请稍后重试；如问题持续，请联系系统管理员。"


def unavailable_response(request=None):
    """The 503 answer: the static page, or JSON for the API. Needs no database."""
    if request is not None and request.path.startswith("/api/"):
        response = JsonResponse({"detail": UNAVAILABLE_MESSAGE}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = SimpleTemplateResponse("503.html", {}, status=503).render()
    response["Retry-After"] = "30"
    return response


def is_outage(exception):
    return isinstance(exception, (OperationalError, InterfaceError)) and _looks_like_outage(exception)


def _looks_like_outage(exception):
    """Only connection-level failures count; a constraint error is a bug, not an outage."""
    if isinstance(exception, InterfaceError):
        return True
    text = str(exception).lower()
    return any(
        marker in text
        for marker in ("connect", "connection", "server closed", "terminating", "unable to open", "disk i/o")
    )


class RejectNulBytesMiddleware:
    """PostgreSQL cannot store a NUL character (psycopg raises ValueError, a 500). Refuse any
    request carrying one — in the path, the query string, form fields or a JSON body — with a
    400 and a message, before a view sees it. Runs as process_view, so CSRF is checked first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if not self._carries_nul(request, args, kwargs):
            return None
        log.warning("refused a request with NUL characters: %s %s", request.method, request.path[:200].replace("\x00", "\\0"))
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": [{"index": None, "field": "body", "message": NUL_MESSAGE}]}, status=400,
                                json_dumps_params={"ensure_ascii": False})
        return render(request, "core/bad_request.html", {"message": NUL_MESSAGE}, status=400)

    @staticmethod
    def _carries_nul(request, args, kwargs):
        if "\x00" in request.path or has_nul(list(args)) or has_nul(kwargs):
            return True
        if any(has_nul(key) or has_nul(values) for key, values in request.GET.lists()):
            return True
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            content_type = request.content_type or ""
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                if any(has_nul(key) or has_nul(values) for key, values in request.POST.lists()):
                    return True
            elif content_type.endswith("json"):
                body = request.body
                if b"\x00" in body:
                    return True
                try:
                    return has_nul(json.loads(body))
                except ValueError:
                    return False  # malformed JSON: the API's own parser answers 400
        return False


class DeferredWorkNoticeMiddleware:
    """Tell the user when e-mail notifications could not be handed to the broker during their
    request (reporting.tasks.enqueue notes it): their own save went through, and the queued
    work is sent by the next scheduled run. Must sit after MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = deferred.start()
        try:
            response = self.get_response(request)
            names = deferred.names()
        finally:
            deferred.finish(token)
        if names:
            kinds = sorted({deferred.describe(name) for name in names if deferred.describe(name)})
            if kinds:
                text = "后台服务暂时不可用，%s已排队，将在恢复后自动发送；您的操作已保存。" % "、".join(kinds)
                if request.path.startswith("/api/"):
                    response["X-Deferred-Work"] = ",".join(sorted(names))
                elif hasattr(request, "_messages"):
                    messages.warning(request, text)
        return response


TOO_LARGE_MESSAGE = "提交的内容过大（超过 %(limit)d MB），未保存。请减少一次上传的文件数量或压缩文件后重试。"


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared Content-Length exceeds settings.REQUEST_MAX_BYTES with
    413, before anything reads the body (nginx has the same cap; this holds when Django is
    reached another way). Django's DATA_UPLOAD_MAX_MEMORY_SIZE only counts non-file fields, so
    without this one multipart request could carry any number of 10 MB files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django's own parser refuses a malformed length
        limit = settings.REQUEST_MAX_BYTES
        if declared > limit:
            log.warning("refused a %d-byte request body to %s", declared, request.path[:200])
            message = TOO_LARGE_MESSAGE % {"limit": limit // (1024 * 1024)}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
            response = SimpleTemplateResponse("core/bad_request.html", {"message": message}, status=413).render()
            return response
        return self.get_response(request)


PRIVATE_NO_STORE = "private, no-store"


class PrivateNoStoreMiddleware:
    """Nothing a signed-in user (session or API token) is shown may be kept by a shared cache or
    the browser's disk cache: pages, API answers, evidence files and .xlsx/.docx downloads all
    get `Cache-Control: private, no-store`. Runs after authentication; DRF sets the token user
    on the underlying request, so API answers are covered too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            response["Cache-Control"] = PRIVATE_NO_STORE
            response.headers.pop("Expires", None)
        return response
