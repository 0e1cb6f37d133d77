"""docker-compose.yml describes a production-like deployment and holds no secret."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_has_proxy_database_broker_web_worker_and_beat():
    assert set(SERVICES) == {"proxy", "db", "redis", "web", "worker", "beat"}
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis:7")


def test_web_worker_and_beat_share_one_image_built_from_the_dockerfile():
    images = {SERVICES[name]["image"] for name in ("web", "worker", "beat")}
    assert len(images) == 1
    assert all(SERVICES[name]["build"] == "." for name in ("web", "worker", "beat"))
    assert (ROOT / "Dockerfile").exists()


def test_web_migrates_and_collects_static_before_gunicorn_starts():
    command = SERVICES["web"]["command"]
    assert command.index("migrate") < command.index("collectstatic") < command.index("gunicorn")
    assert "celery" in " ".join(SERVICES["worker"]["command"]) and "worker" in SERVICES["worker"]["command"]
    assert "beat" in SERVICES["beat"]["command"]


def test_app_services_get_database_and_broker_from_the_environment():
    for name in ("web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert SERVICES[name]["env_file"] == ".env"


def test_database_and_uploads_live_in_named_volumes():
    assert {"pgdata", "media"} <= set(COMPOSE["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    for name in ("web", "worker"):
        assert any(v.startswith("media:") for v in SERVICES[name]["volumes"])


def test_every_service_has_a_health_check():
    for name, service in SERVICES.items():
        assert "healthcheck" in service, name
        assert service["healthcheck"]["test"], name


def test_no_secret_is_written_in_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()
    assert not re.search(r"DJANGO_SECRET_KEY\s*[:=]", text), "the secret key must come from .env"
    assert not re.search(r"PASSWORD:\s+[^$\s{]", text), "passwords must come from .env"
    for name in ("web", "worker", "beat"):
        for value in SERVICES[name]["environment"].values():
            assert ":?" in value or "PASSWORD" not in value


def test_env_example_documents_every_variable_the_settings_read():
    settings_text = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', settings_text))
    documented = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in read if name not in documented)
    assert missing == []


# --- the reverse proxy in front of gunicorn (issue 17) -----------------------------------------


def test_only_the_nginx_proxy_is_published_and_web_is_not():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert any(port.endswith(":443") for port in proxy["ports"])
    for name, service in SERVICES.items():
        if name != "proxy":
            assert "ports" not in service, f"{name} must not be reachable from outside"


def test_django_believes_forwarded_addresses_only_from_the_proxys_fixed_address():
    address = SERVICES["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    import ipaddress

    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)
    assert SERVICES["web"]["environment"]["DJANGO_TRUSTED_PROXIES"] == address


def test_nginx_overwrites_x_forwarded_for_and_caps_bodies_like_django():
    from django.conf import settings

    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", conf)
    assert "$proxy_add_x_forwarded_for" not in conf  # appending would keep the client's entries
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size and int(size.group(1)) * 1024 * 1024 == settings.REQUEST_MAX_BYTES
    assert "proxy_pass http://tracker_web;" in conf and "server web:8000;" in conf


def test_gunicorn_runs_from_the_configuration_file_in_the_repository():
    assert "--config deploy/gunicorn.conf.py" in SERVICES["web"]["command"]
    assert "deploy/gunicorn.conf.py" in (ROOT / "Dockerfile").read_text()
    namespace = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["worker_class"] == "gthread" and namespace["threads"] >= 2
    assert namespace["timeout"] > 0 and namespace["graceful_timeout"] > 0
    assert namespace["max_requests"] > 0 and 0 < namespace["max_requests_jitter"] < namespace["max_requests"]
