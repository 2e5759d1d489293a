"""Store-and-forward: send the queued reads to the station in order, backing off while away."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from platewarden.domain import Actor
from platewarden.services.runtime import Runtime
from platewarden.services.unit_outbox import acknowledge, next_batch
from platewarden.unit.station import Station, StationUnreachableError

BATCH = 20


@dataclass
class Forwarded:
    """What a forwarding run did."""

    sent: int = 0
    stored: int = 0  # new at the station
    duplicates: int = 0  # the station had them already (sent again after a cut)
    retries: int = 0


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
    """Send every waiting read in order, backing off while the station is away.

    Returns when the queue is empty, or raises StationUnreachableError once the station has
    been away for `give_up_after_s` (None: wait for it however long).
    """
    done = Forwarded()
    delay, away_since = base_delay_s, None
    while batch := next_batch(rt, actor, limit=batch_size):
        try:
            receipt = station.push_reads([q.row for q in batch])
        except StationUnreachableError:
            away_since = away_since or time.monotonic()
            if give_up_after_s is not None and time.monotonic() - away_since > give_up_after_s:
                raise
            done.retries += 1
            sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, max_delay_s)
            continue
        acknowledge(rt, actor, batch)
        delay, away_since = base_delay_s, None
        done.sent += len(batch)
        done.stored += int(receipt.get("stored", 0))
        done.duplicates += int(receipt.get("duplicates", 0))
    return done
