"""Hot-list matching speed: reads per second against 1,000,000 plates and 1,000 wildcard patterns.

Prints the JSON line of ../shared/BENCHMARKS.md to stdout and progress to stderr. The hot list is
seeded synthetic plates in common US formats; the patterns are partial plates as a detective would
enter them. The reads are a seeded stream with a realistic mix: most match nothing, some are an
entry read right, some an entry read with one confusable character, some fit a pattern, some come
from another state. Each read has 3 OCR alternatives, the lower two differing from the best in one
character that looks alike (a confusable class or not: 3/8, H/N, U/V ...). One thread, one core;
rates are per second of this process's CPU time, because the machines are shared. Beside them, as
a yardstick measured in the same run: plain dict lookups of each alternative in the same plates.

    python benchmarks/matching.py                      # 1,000,000 entries + 1,000 patterns
    python benchmarks/matching.py --entries 100000 --reads 50000 --runs 3
"""

import argparse
import gc
import json
import random
import resource
import statistics
import string
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from platewarden.matching import DEFAULT_CONFUSABLE_CLASSES, HotlistIndex, IndexEntry

LETTERS = string.ascii_uppercase
DIGITS = string.digits
FORMATS = ("LLLDDDD", "LLLDDD", "DLLLDDD", "DDDLLL", "LLDDDDD", "DLLDDD", "LLLLDD", "DDLLLL")
STATES = ("MT", "MT", "MT", "MT", "WY", "ID", "ND", "CO", None)
# Characters that look alike, in a configured class or not: an OCR's runner-up reads.
LOOKALIKE = {
    "0": "OD8",
    "O": "0DQ",
    "D": "0O",
    "Q": "O0",
    "1": "IL7",
    "I": "1L",
    "L": "1I",
    "2": "Z",
    "Z": "27",
    "5": "S6",
    "S": "58",
    "8": "B3",
    "B": "8R",
    "6": "G5",
    "G": "6C",
    "7": "T1",
    "T": "7Y",
    "3": "8",
    "H": "NM",
    "N": "HM",
    "M": "NW",
    "W": "MV",
    "U": "VO",
    "V": "UY",
    "E": "FB",
    "F": "EP",
    "P": "RF",
    "R": "PB",
    "C": "GO",
    "K": "X",
    "X": "K",
    "A": "4",
    "4": "A",
    "9": "G",
    "J": "U",
    "Y": "V",
}
Alternatives = list[tuple[str, float]]
Read = tuple[Alternatives, str | None]  # the OCR's alternatives, best first, and the state
Matcher = Callable[[Alternatives, str | None], object]
CONFUSABLE = {c: cls for cls in DEFAULT_CONFUSABLE_CLASSES for c in cls}


def log(message: str) -> None:
    """Print progress for a person, on stderr."""
    print(message, file=sys.stderr, flush=True)


def rss_mb() -> float:
    """Return this process's resident memory now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def plate(rng: random.Random) -> str:
    """Return a random plate in one of the common formats."""
    return "".join(rng.choice(LETTERS if f == "L" else DIGITS) for f in rng.choice(FORMATS))


def partial(rng: random.Random, full: str) -> str:
    """Return a partial plate as a witness would give it: four or more characters known."""
    kind = rng.random()
    if kind < 0.6:  # one or two characters unknown
        chars = list(full)
        for at in rng.sample(range(len(full)), rng.randint(1, 2)):
            chars[at] = "?"
        return "".join(chars)
    if kind < 0.75:  # the start only
        return full[: rng.randint(4, 5)] + "*"
    if kind < 0.9:  # the end only
        return "*" + full[-rng.randint(4, 5) :]
    if kind < 0.95:  # a run somewhere in the middle
        at = rng.randint(1, len(full) - 5)
        return "*" + full[at : at + 4] + "*"
    return full[0] + "?" + full[2:4] + "*" + full[-1]


def misread(rng: random.Random, text: str, *, confusable: bool | None = None) -> str:
    """Return the text with one character read as a look-alike (in a class, outside, or either)."""
    spots = [i for i, c in enumerate(text) if c in LOOKALIKE]
    if confusable is not None:
        spots = [i for i in spots if (len(CONFUSABLE.get(text[i], "")) > 1) == confusable]
    if not spots:
        return text
    at = rng.choice(spots)
    options = LOOKALIKE[text[at]]
    if confusable is not None:
        options = "".join(
            o for o in options if (o in CONFUSABLE.get(text[at], "")) == confusable
        ) or CONFUSABLE.get(text[at], text[at]).replace(text[at], "")
    return text[:at] + rng.choice(options or text[at]) + text[at + 1 :]


def reads(rng: random.Random, count: int, listed: list[str], patterns: list[str]) -> list[Read]:
    """Return (alternatives, jurisdiction) reads: mostly misses, some exact, OCR, wildcard hits."""
    stream = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.90:
            best = plate(rng)
        elif kind < 0.94:
            best = rng.choice(listed)
        elif kind < 0.97:
            best = misread(rng, rng.choice(listed), confusable=True)
        else:
            best = "".join(
                rng.choice(LETTERS) if c in "?*" else c for c in rng.choice(patterns)
            ).replace("*", "")
        alternatives = [(best, 0.8), (misread(rng, best), 0.12), (misread(rng, best), 0.05)]
        stream.append((alternatives, rng.choice(STATES)))
    return stream


def entries(
    plates: list[str], patterns: list[str], states: list[str | None]
) -> Iterator[IndexEntry]:
    """Yield the hot-list entries: the plates, then the patterns."""
    for number, (text, state) in enumerate(zip(plates, states, strict=True)):
        yield IndexEntry(number, text, state)
    for number, text in enumerate(patterns, start=len(plates)):
        yield IndexEntry(number, text, None, is_pattern=True)


def main() -> None:
    """Build the index, match the stream several times and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--wildcards", type=int, default=1_000)
    parser.add_argument("--reads", type=int, default=200_000, help="reads per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-substitutions", type=int, default=1)
    parser.add_argument("--min-fixed-chars", type=int, default=3)
    parser.add_argument("--seed", type=int, default=426)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    log(f"generating {args.entries:,} plates and {args.wildcards:,} patterns")
    plates = [plate(rng) for _ in range(args.entries)]
    states = [rng.choice(STATES) for _ in plates]
    patterns = [partial(rng, plate(rng)) for _ in range(args.wildcards)]
    sample = rng.sample(plates, min(len(plates), 10_000))
    stream = reads(rng, args.reads, sample, patterns or ["ABC*"])

    gc.collect()
    before = rss_mb()
    log("building the index")
    started = time.process_time()
    index = HotlistIndex.build(
        entries(plates, patterns, states),
        confusable_classes=DEFAULT_CONFUSABLE_CLASSES,
        max_substitutions=args.max_substitutions,
        min_fixed_chars=args.min_fixed_chars,
    )
    build_s = time.process_time() - started
    gc.collect()
    after = rss_mb()
    log(f"built {len(index):,} entries in {build_s:.2f} s; {after - before:.0f} MiB for the index")

    # The yardstick, in the same runs: exact lookups only, one per alternative, in a plain dict
    # of the same plates; no matcher in Python can be faster. Runs alternate, so both see the
    # same load on a shared machine. Rates are per second of this process's CPU time.
    yardstick = plain_lookups(plates)
    rates, floors = [], []
    for run in range(args.runs):
        rates.append(time_run(stream, index.match))
        floors.append(time_run(stream, yardstick))
        log(f"run {run + 1}: {rates[-1]:,.0f} reads/s; plain dict lookups {floors[-1]:,.0f}")
    hits = sum(bool(index.match(alternatives, state)) for alternatives, state in stream)
    log(f"{hits / len(stream):.1%} of the reads match at least one entry")
    print(
        json.dumps(
            {
                "benchmark": "matching",
                "entries": args.entries,
                "wildcards": args.wildcards,
                "alternatives": 3,
                "max_substitutions": args.max_substitutions,
                "reads_per_s": round(statistics.median(rates)),
                "runs": args.runs,
                "spread": [round(min(rates)), round(max(rates))],
                "dict_lookup_reads_per_s": round(statistics.median(floors)),
                "build_s": round(build_s, 2),
                "rss_mb": round(after),
                "index_mb": round(after - before),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "hit_fraction": round(hits / len(stream), 3),
            }
        )
    )


def plain_lookups(plates: list[str]) -> Matcher:
    """Return a matcher that only looks each alternative up in a dict of the plates."""
    lookups = dict.fromkeys(plates)

    def match(alternatives: Alternatives, _: str | None) -> object:
        return [lookups.get(text) for text, _ in alternatives]

    return match


def time_run(stream: list[Read], match: Matcher) -> float:
    """Return reads per CPU second of one pass over the stream."""
    started = time.process_time()
    for alternatives, state in stream:
        match(alternatives, state)
    return len(stream) / (time.process_time() - started)


if __name__ == "__main__":
    main()
