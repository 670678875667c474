"""The baseline for the polling benchmark: the tutorials' pattern, run by the product's worker.

`celery -A bench.polling_app worker` is the product's Celery app plus one task that does what
Adobe's async guide does: submit, then `while` not finished, `sleep(1)` and ask again, then save
the outputs, all inside one task that holds its worker process for the whole job. It saves
the images with the product's own code (`ingest_outputs`), so the two runs do the same work
and differ only in how they wait.
"""

import time

from fireflyweb.celery import app

POLL_SECONDS = 1.0  # Adobe's async guide polls once a second


@app.task(name="bench.sleepy_generation", acks_late=True)
def sleepy_generation(generation_id: int) -> str:
    from django.utils import timezone

    from generation.models import Generation
    from generation.pipeline.firefly_client import get_client
    from generation.pipeline.generations import generation_request
    from generation.pipeline.ingest import ingest_outputs

    generation = Generation.objects.get(pk=generation_id)
    client = get_client()
    job = client.submit_generation(generation_request(generation))
    Generation.objects.filter(pk=generation_id).update(
        status=Generation.Status.SUBMITTED,
        firefly_job_id=job.job_id,
        status_url=job.status_url,
        cancel_url=job.cancel_url,
        submitted_at=timezone.now(),
    )
    polls = 0
    while True:
        status = client.job_status(job)
        polls += 1
        if status.is_terminal:
            break
        time.sleep(POLL_SECONDS)
    Generation.objects.filter(pk=generation_id).update(poll_count=polls)
    if not status.succeeded:
        Generation.objects.filter(pk=generation_id).update(
            status=Generation.Status.FAILED, error_code="job_failed", finished_at=timezone.now()
        )
        return "failed"
    generation.refresh_from_db()
    ingest_outputs(generation=generation, outputs=status.outputs, client=client)
    return "succeeded"
