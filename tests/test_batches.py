"""core.batches: the cyclic garbage collector waits during a batch and comes back after it."""
import gc

import pytest

from core.batches import cyclic_gc_paused


def test_the_collector_is_paused_inside_the_block_and_enabled_again_after_it():
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_batch_fails():
    with pytest.raises(ValueError):
        with cyclic_gc_paused():
            raise ValueError
    assert gc.isenabled()


def test_a_nested_pause_does_not_turn_the_collector_back_on_early():
    with cyclic_gc_paused():
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_the_batch_made_is_not_walked_by_the_next_young_collection():
    class Node:  # tracked by the collector, like the evaluation's phrases
        pass

    with cyclic_gc_paused():
        made = [Node() for _ in range(1000)]
    young = gc.get_objects(generation=0) + gc.get_objects(generation=1)
    assert not any(obj is made[0] or obj is made[-1] for obj in young)
    assert any(obj is made[0] for obj in gc.get_objects(generation=2))


def test_objects_someone_else_froze_stay_frozen():
    kept = [object()]  # a list: tracked by the collector
    gc.freeze()
    try:
        with cyclic_gc_paused():
            pass
        assert gc.get_freeze_count() and not any(obj is kept for obj in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(obj is kept for obj in gc.get_objects())
