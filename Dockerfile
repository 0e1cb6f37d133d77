# One image for web, worker and beat (docker-compose.yml chooses the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_STATIC_ROOT=/app/staticfiles DJANGO_MEDIA_ROOT=/data/media DJANGO_SECRET_KEY_FILE=/data/secret_key
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/app app && mkdir -p /data/media && chown -R app /data
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=app . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput

USER app
EXPOSE 8000
# gthread workers, timeouts and worker recycling: deploy/gunicorn.conf.py
CMD ["gunicorn", "config.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
