"""What changed between two live-feed messages, and how a client folds a change into the message it holds.

A live-feed message (``headline`` event; ``live.py``) is a JSON object: ``figures`` (indicator name ->
``{"value", "suppressed"}``), ``funnel`` (a list of steps, each an object with a ``step`` key), and on the public
face ``period`` and ``release_id``. A **change** (``change`` event) carries only what differs from the previous
message of the same stream: the figures whose cell changed, the funnel steps (whole step objects) that changed, and
any other top-level field whose value changed. ``merge(previous, change)`` gives the new message back, equal to what
``GET /api/headline`` answers at that point. Both sides use these two functions (the dashboard's ``app.js`` has the
same ``merge`` in JavaScript); ``tests/unit/monitoring/test_feed_delta.py`` holds them to
``merge(old, diff(old, new)) == new``.
"""

from typing import Any

FULL = "full"  # diff's answer when a change cannot say it (a figure or step removed, steps reordered)


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | str | None:
    """The change from ``old`` to ``new``: a dict of what differs (``figures``: the changed cells by name,
    ``funnel``: the changed steps in the new order, other keys: their new value), None when nothing differs, or
    ``FULL`` when a change cannot express it (then a whole message must be sent)."""
    out: dict[str, Any] = {}
    for key in new.keys() | old.keys():
        if key not in new:
            return FULL
        if key == "figures":
            was, now = old.get(key) or {}, new[key] or {}
            if not was.keys() <= now.keys():
                return FULL
            changed = {name: cell for name, cell in now.items() if was.get(name) != cell}
            if changed:
                out[key] = changed
        elif key == "funnel":
            was_steps, now_steps = old.get(key) or [], new[key] or []
            if [s["step"] for s in was_steps] != [s["step"] for s in now_steps[:len(was_steps)]]:
                return FULL  # a step gone or moved: only appending is a change
            changed_steps = [s for i, s in enumerate(now_steps) if i >= len(was_steps) or was_steps[i] != s]
            if changed_steps:
                out[key] = changed_steps
        elif key not in old or old[key] != new[key]:
            out[key] = new[key]
    return out or None


def merge(message: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``message`` with ``change`` folded in (a new dict; ``message`` is left as it was): changed figures replace
    theirs, changed funnel steps replace the step of the same ``step`` key or are appended, other keys replace."""
    out = dict(message)
    for key, value in change.items():
        if key == "figures":
            out[key] = {**(message.get(key) or {}), **value}
        elif key == "funnel":
            steps = list(message.get(key) or [])
            at = {s["step"]: i for i, s in enumerate(steps)}
            for step in value:
                if step["step"] in at:
                    steps[at[step["step"]]] = step
                else:
                    steps.append(step)
            out[key] = steps
        else:
            out[key] = value
    return out
