"""Operations: heartbeats of the Celery processes, for readiness and container checks."""
