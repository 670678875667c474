# Firefly Campaign Studio: one image for web, worker and beat (they differ only by command).
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt requirements-s3.txt ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install -r requirements.txt -r requirements-s3.txt

FROM python:3.11-slim AS runtime
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_DEBUG=0 \
    FIREFLY_VAR_DIR=/app/var
RUN groupadd --system --gid 10001 studio \
 && useradd --system --uid 10001 --gid studio --home-dir /app studio
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=studio:studio . .
# collectstatic needs settings that load; these throwaway values never reach a running container.
RUN DJANGO_SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    DJANGO_ALLOWED_HOSTS=build FIREFLY_CLIENT_ID=build FIREFLY_CLIENT_SECRET=build \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media \
 && chown studio:studio /app/var /app/var/media
# /app/var/media exists, owned by the app's user, so a named volume mounted there starts with
# that owner instead of root (which the app, uid 10001, could not write to).
USER 10001
EXPOSE 8000
# The web's own check (its port answers /healthz/live, with a Host that ALLOWED_HOSTS accepts).
# Worker and beat containers override it with `healthcheck worker` / `healthcheck beat`.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s \
  CMD ["python", "manage.py", "healthcheck", "web"]
CMD ["gunicorn", "fireflyweb.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
