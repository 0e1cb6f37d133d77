"""Helpers for batch work inside one process."""
import gc
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector for an allocation-heavy batch that frees nothing
    until it ends.

    Evaluating a chunk of plans (`indicators.results.services.evaluate_indicators`) builds tens of
    thousands of small objects — results, the phrases of their explanations and the lines each
    indicator's prepared evaluation keeps for its years — that all live until the chunk is stored.
    Every collection pass walks all of them and finds nothing to free (they hold no reference
    cycles); measured on a province, the passes made the evaluation three to four times slower.

    Pausing is not enough on its own: everything the batch made is still in the youngest
    generation when the collector comes back, and its first pass walked all of it — on a
    province, a third of the re-evaluation's time. So the block starts by collecting the young
    generations (small then) and ends by moving what survived into the oldest generation without
    a pass (gc.freeze then gc.unfreeze); it is examined at the next full collection, by which
    time most of it has been freed by reference counting. Skipped when something else has frozen
    objects (gc.freeze, e.g. a pre-forking server), whose frozen set must stay as it is.

    Reference counting frees everything as usual throughout; only the search for cycles waits.
    The pause is process-wide, so keep the block to pure work."""
    enabled = gc.isenabled()
    if enabled:
        gc.collect(1)
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
