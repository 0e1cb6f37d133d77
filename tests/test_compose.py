"""docker-compose.yml describes a production-like deployment and holds no secret."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_has_database_broker_web_worker_and_beat():
    assert set(SERVICES) == {"db", "redis", "web", "worker", "beat"}
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
