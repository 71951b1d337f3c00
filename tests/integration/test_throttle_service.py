"""The shared counters (services/throttle.py) on the real database: what is stored, what a
success may reset, caps, pruning."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from breachdesk.domain.throttle import Cap, Policy
from breachdesk.extensions import db
from breachdesk.models import ThrottleCounter
from breachdesk.services import throttle
from breachdesk.services.clock import FixedClock
from breachdesk.services.throttle import Key

ACCOUNT = Policy("login-account", free=1, base=60, factor=2, cap=600, window=3600)
ADDRESS = Policy("address", free=5, base=5, factor=2, cap=300, window=3600)


def rows() -> list[ThrottleCounter]:
    return list(db.session.execute(select(ThrottleCounter)).scalars())


def test_nothing_is_stored_in_clear_and_failures_add_up(app: Flask, clock: FixedClock) -> None:
    keys = [Key.of(ACCOUNT, "fg@kruix.nl", "s3cret"), Key.of(ADDRESS, "192.0.2.7", "s3cret")]
    assert throttle.wait_seconds(db.session, keys, clock=clock) == 0
    assert throttle.record_failure(db.session, keys, clock=clock) == 60
    clock.advance(seconds=20)
    assert throttle.wait_seconds(db.session, keys, clock=clock) == 40
    stored = " ".join(f"{r.key} {r.policy}" for r in rows())
    assert "fg@kruix.nl" not in stored and "192.0.2.7" not in stored and "kruix" not in stored
    assert {r.count for r in rows()} == {1}
    # Another secret key gives other digests (an IP address cannot be found by trying all).
    assert Key.of(ADDRESS, "192.0.2.7", "other").digest not in stored


def test_a_success_resets_the_account_only_after_its_delay(app: Flask, clock: FixedClock) -> None:
    account = [Key.of(ACCOUNT, "fg@kruix.nl", "s")]
    throttle.record_failure(db.session, account, clock=clock)
    throttle.record_failure(db.session, account, clock=clock)  # a second one: 120 s
    throttle.record_success(db.session, account, clock=clock)  # during the delay: ignored
    db.session.commit()
    assert throttle.wait_seconds(db.session, account, clock=clock) == 120
    clock.advance(seconds=120)
    throttle.record_success(db.session, account, clock=clock)
    db.session.commit()
    assert rows() == []


def test_caps_count_every_request_in_a_fixed_window(app: Flask, clock: FixedClock) -> None:
    keys = [Key.of(Cap("report-60", 2, 60), "192.0.2.7", "s")]
    assert [throttle.hit(db.session, keys, clock=clock) for _ in range(3)] == [0, 0, 60]
    clock.advance(seconds=45)
    assert throttle.hit(db.session, keys, clock=clock) == 15  # the window began at the first
    clock.advance(seconds=15)
    assert throttle.hit(db.session, keys, clock=clock) == 0  # a new window


def test_forgotten_rows_are_pruned_when_others_are_written(app: Flask, clock: FixedClock) -> None:
    for n in range(250):
        throttle.record_failure(db.session, [Key.of(ADDRESS, f"10.0.0.{n}", "s")], clock=clock)
    clock.advance(seconds=3600)
    fresh = [Key.of(ADDRESS, "198.51.100.1", "s")]
    throttle.record_failure(db.session, fresh, clock=clock)
    count = db.session.execute(select(func.count()).select_from(ThrottleCounter)).scalar_one()
    assert count == 250 + 1 - throttle.PRUNE_BATCH
    for _ in range(3):
        throttle.record_failure(db.session, fresh, clock=clock)
    assert [r.count for r in rows()] == [4]  # the rest pruned in batches, the live row kept


def test_caps_prune_forgotten_rows_when_a_window_opens_not_on_every_request(
    app: Flask, clock: FixedClock
) -> None:
    cap = Cap("report-60", 5, 60)

    def stored() -> int:
        return db.session.execute(select(func.count()).select_from(ThrottleCounter)).scalar_one()

    for n in range(150):
        assert throttle.hit(db.session, [Key.of(cap, f"10.0.0.{n}", "s")], clock=clock) == 0
    clock.advance(seconds=60)  # all 150 windows have ended
    busy = [Key.of(cap, "198.51.100.1", "s")]
    throttle.hit(db.session, busy, clock=clock)  # a new row: one batch of old ones goes
    assert stored() == 150 + 1 - throttle.PRUNE_BATCH
    throttle.hit(db.session, busy, clock=clock)  # the same window: counted, nothing pruned
    assert stored() == 150 + 1 - throttle.PRUNE_BATCH
    clock.advance(seconds=60)
    assert throttle.hit(db.session, busy, clock=clock) == 0  # its window opens anew
    assert [(r.count, r.started_at) for r in rows()] == [(1, clock.now())]
