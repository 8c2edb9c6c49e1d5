"""After a failed connection, requests fail at once instead of each waiting on the network."""

from app.db.outage import HOLD_SECONDS, Outage


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_failed_connection_makes_the_next_ones_fail_at_once_until_the_hold_ends():
    clock = Clock()
    outage = Outage(probe_seconds=5, clock=clock)
    assert outage.may_connect() and not outage.ongoing
    outage.failed()
    assert outage.ongoing and not outage.may_connect()
    clock.now += HOLD_SECONDS
    assert outage.may_connect()


def test_one_attempt_at_a_time_probes_for_recovery_and_success_ends_the_outage():
    clock = Clock()
    outage = Outage(probe_seconds=5, clock=clock)
    outage.failed()
    clock.now += HOLD_SECONDS
    assert outage.may_connect()
    # While the probe waits on the network, the others still answer at once.
    assert not outage.may_connect()
    outage.connected()
    assert not outage.ongoing and outage.may_connect()
