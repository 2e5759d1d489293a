"""Store-and-forward: send the queued reads, then the audit trail, to the station in order.

A batch the station refuses outright (a 4xx other than 429: it will never take it) is sent
again one read at a time; the read it still refuses is set aside, kept encrypted in the car
and shown by `unit status`, so that one bad read cannot hold up the rest forever.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from platewarden.domain import Actor
from platewarden.services.runtime import Runtime
from platewarden.services.unit_outbox import (
    Queued,
    acknowledge,
    acknowledge_records,
    next_batch,
    next_records,
    set_aside,
)
from platewarden.unit.station import Station, StationRefusedError, StationUnreachableError

BATCH = 20
RECORDS = 500


@dataclass
class Forwarded:
    """What a forwarding run did."""

    sent: int = 0
    stored: int = 0  # new at the station
    duplicates: int = 0  # the station had them already (sent again after a cut)
    retries: int = 0
    set_aside: int = 0  # refused by the station, kept apart in the car
    audit_sent: int = 0
    alerts_sent: int = 0


@dataclass
class _Backoff:
    base_s: float
    max_s: float
    give_up_after_s: float | None
    sleep: Callable[[float], None]
    delay: float = 0.0
    away_since: float | None = None

    def wait(self, error: StationUnreachableError) -> None:
        """Sleep before the next try, or raise once the station was away too long."""
        self.away_since = self.away_since or time.monotonic()
        if (
            self.give_up_after_s is not None
            and time.monotonic() - self.away_since > self.give_up_after_s
        ):
            raise error
        self.delay = min(self.delay * 2, self.max_s) if self.delay else self.base_s
        self.sleep(self.delay * random.uniform(0.5, 1.0))

    def reset(self) -> None:
        """The station answered: the next absence starts from the first delay."""
        self.delay, self.away_since = 0.0, None


def forward(
    rt: Runtime,
    actor: Actor,
    station: Station,
    *,
    batch_size: int = BATCH,
    give_up_after_s: float | None = 300.0,
    base_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Forwarded:
    """Send every waiting read in order, then the audit records and alert events.

    Returns when all is sent, or raises StationUnreachableError once the station has been
    away for `give_up_after_s` (None: wait for it however long).
    """
    done = Forwarded()
    backoff = _Backoff(base_delay_s, max_delay_s, give_up_after_s, sleep)
    while batch := next_batch(rt, actor, limit=batch_size):
        try:
            _send(rt, actor, station, batch, done)
        except StationUnreachableError as exc:
            done.retries += 1
            backoff.wait(exc)
            continue
        backoff.reset()
    while records := next_records(rt, actor, limit=RECORDS):
        try:
            station.push_records(records.body())
        except StationUnreachableError as exc:
            done.retries += 1
            backoff.wait(exc)
            continue
        backoff.reset()
        acknowledge_records(rt, actor, records)
        done.audit_sent += len(records.audit)
        done.alerts_sent += len(records.alerts)
        if len(records.audit) < RECORDS:  # the rest is this run's own record: next time
            break
    return done


def _send(
    rt: Runtime, actor: Actor, station: Station, batch: list[Queued], done: Forwarded
) -> None:
    """Send a batch; one the station refuses goes again read by read, the refused set aside."""
    try:
        receipt = station.push_reads([q.row for q in batch])
    except StationRefusedError as exc:
        if len(batch) > 1:
            for queued in batch:
                _send(rt, actor, station, [queued], done)
            return
        set_aside(rt, actor, batch[0], status=exc.status, reason=str(exc))
        done.set_aside += 1
        return
    acknowledge(rt, actor, batch)
    done.sent += len(batch)
    done.stored += int(receipt.get("stored", 0))
    done.duplicates += int(receipt.get("duplicates", 0))
