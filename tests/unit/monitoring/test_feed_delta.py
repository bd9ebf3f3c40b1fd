"""The live feed's changes without a database: what ``diff`` says, that ``merge`` gives the new message back, and
what a subscriber's queue receives (a change naming only what moved, a whole message when it fell behind)."""

import asyncio
import json
from typing import Any

from monitoring.service_layer.feed_delta import FULL, diff, merge
from monitoring.service_layer.live import LiveFeed


def message(registered: float, trained: float = 3.0, steps: int = 2, **extra: Any) -> dict[str, Any]:
    funnel = [{"step": "registered", "label": "Terdaftar", "value": int(registered), "suppressed": False},
              {"step": "trained", "label": "Terlatih", "value": int(trained), "suppressed": False}][:steps]
    return {"figures": {"women_registered": {"value": registered, "suppressed": False},
                        "women_trained": {"value": trained, "suppressed": False}}, "funnel": funnel, **extra}


def test_a_change_holds_only_the_cells_and_steps_that_moved() -> None:
    old, new = message(12.0), message(13.0)
    change = diff(old, new)
    assert change == {"figures": {"women_registered": {"value": 13.0, "suppressed": False}},
                      "funnel": [{"step": "registered", "label": "Terdaftar", "value": 13, "suppressed": False}]}
    assert merge(old, change) == new
    assert old == message(12.0), "merge leaves the message it was given as it was"
    assert diff(new, message(13.0)) is None


def test_a_release_is_a_change_of_release_and_period_and_a_first_release_fills_an_empty_message() -> None:
    empty = {"period": None, "release_id": None, "figures": {}, "funnel": []}
    first = message(13.0, period="2025", release_id=1)
    change = diff(empty, first)
    assert isinstance(change, dict) and change["release_id"] == 1 and change["period"] == "2025"
    assert merge(empty, change) == first
    second = message(13.0, period="2025", release_id=2)
    assert diff(first, second) == {"release_id": 2}


def test_what_a_change_cannot_say_asks_for_a_whole_message() -> None:
    old = message(12.0)
    assert diff(old, message(12.0, steps=1)) == FULL  # a step gone
    gone = message(12.0)
    del gone["figures"]["women_trained"]
    assert diff(old, gone) == FULL
    assert diff({**old, "period": "2025"}, old) == FULL


def test_a_subscriber_gets_changes_with_rising_ids_and_a_whole_message_when_it_fell_behind() -> None:
    async def run() -> None:
        feed = LiveFeed(lambda: None)
        queue = feed.subscribe(internal=True)
        feed._push(True, message(1.0))  # noqa: SLF001 - the push without a database
        seq, event, data = queue.get_nowait()
        assert event == "headline" and json.loads(data) == message(1.0)
        feed._push(True, message(2.0))  # noqa: SLF001
        seq2, event, data = queue.get_nowait()
        assert seq2 == seq + 1 and event == "change"
        assert set(json.loads(data)["figures"]) == {"women_registered"}
        feed._push(True, message(2.0))  # noqa: SLF001 - nothing changed: nothing sent
        assert queue.empty()
        for n in range(3, 3 + queue.maxsize + 1):  # more than the queue holds: it is replaced by a whole message
            feed._push(True, message(float(n)))  # noqa: SLF001
        last = 3 + queue.maxsize
        feed._push(True, message(float(last + 1)))  # noqa: SLF001
        items = [queue.get_nowait() for _ in range(queue.qsize())]
        assert [event for _, event, _ in items] == ["headline", "change"]
        assert json.loads(items[0][2]) == message(float(last))
        state = merge(json.loads(items[0][2]), json.loads(items[1][2]))
        assert state == message(float(last + 1)) == json.loads(feed.last[True] or "")
        assert items[1][0] == items[0][0] + 1 == seq2 + queue.maxsize + 2

    asyncio.run(run())


def test_a_notification_names_what_a_batch_rewrote_and_the_feed_ignores_what_it_does_not_show() -> None:
    async def run() -> None:
        feed = LiveFeed(lambda: None)
        feed._rounds = 0  # noqa: SLF001 - as after its first recompute
        feed._on_notify(None, 0, "", "applied:active_businesses,women_registered")  # noqa: SLF001
        assert feed._touched == {"women_registered"} and feed._rounds == 0  # noqa: SLF001
        feed._on_notify(None, 0, "", "applied:")  # noqa: SLF001 - a batch that rewrote no read model
        assert feed._touched == {"women_registered"} and feed._rounds == 0  # noqa: SLF001
        feed._on_notify(None, 0, "", "applied")  # noqa: SLF001 - not said: everything
        assert feed._rounds == 1  # noqa: SLF001

    asyncio.run(run())
