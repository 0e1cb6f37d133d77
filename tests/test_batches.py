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
