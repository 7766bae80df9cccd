"""The channel layer survives the event loops that used it: a receive cancelled in one loop (a socket closed while
the previous message was being cleaned up) leaves nothing behind that breaks receiving in the next loop."""

import asyncio

from channels.layers import get_channel_layer


async def _cancel_a_receive_while_it_waits_for_the_previous_cleanup(layer):
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "one"})
    await layer.send(channel, {"type": "two"})
    assert (await layer.receive(channel))["type"] == "one"
    # The backup copy of message one is being deleted; the next receive queues behind that cleanup.
    waiting = asyncio.ensure_future(layer.receive(channel))
    for _ in range(1000):
        await asyncio.sleep(0)
        if max(layer.receive_clean_locks.wait_counts.values(), default=0) >= 2:
            break
    else:
        raise AssertionError("the second receive never queued behind the cleanup")
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await layer.wait_received()


async def _receive_back_to_back(layer):
    channel = await layer.new_channel()
    for n in range(3):
        await layer.send(channel, {"type": f"m{n}"})
    return [(await asyncio.wait_for(layer.receive(channel), 10))["type"] for _ in range(3)]


def test_a_receive_cancelled_in_one_event_loop_does_not_break_receiving_in_the_next():
    layer = get_channel_layer()
    asyncio.run(_cancel_a_receive_while_it_waits_for_the_previous_cleanup(layer))
    assert asyncio.run(_receive_back_to_back(layer)) == ["m0", "m1", "m2"]
    assert asyncio.run(_receive_back_to_back(layer)) == ["m0", "m1", "m2"]
    assert not layer.receive_clean_locks.locks, "a lock outlived everyone who held or waited for it"
