"""Background re-evaluation of every stored result. Idempotent and retried."""
from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def reevaluate_all(self):
    """Recompute every stored evaluation result (after a change of method or settings)."""
    from indicators.results.services import recompute

    return recompute()
