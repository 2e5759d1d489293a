"""`platewarden audit`: verify and query the audit trail, and review samples of searches."""

import json
from datetime import tzinfo
from typing import Annotated

import typer
from rich.table import Table

from platewarden.accountability import AuditFilter, AuditRecord, Finding, ReviewItem, ReviewReport
from platewarden.cli.choices import PurposeFilter
from platewarden.cli.context import RecordId, console, console_actor, errors, opened_runtime
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import parse_time, required_time, show_time
from platewarden.services import audit_review

HEX = "0123456789abcdef"

app = typer.Typer(
    help="Verify, query and review the audit trail (policy 426.6 c, d).", no_args_is_help=True
)


def _anchor(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    number, sep, digest = value.partition(":")
    if not (sep and number.isdigit() and len(digest) == 64 and set(digest) <= set(HEX)):
        raise typer.BadParameter("give the anchor as RECORD:HASH, as `audit anchor` printed it")
    return int(number), digest


@app.command("verify")
def verify(
    anchor: Annotated[
        str | None,
        typer.Option(help="RECORD:HASH from `audit anchor`, kept outside: shows a cut or rewrite."),
    ] = None,
) -> None:
    """Walk the hash chain and name every changed, deleted or re-ordered record; exit 1 if any."""
    kept = _anchor(anchor)
    with opened_runtime() as rt:
        problems = audit_review.verify_trail(rt, console_actor(rt), kept)
    if problems:
        for problem in problems:
            errors.print(problem, highlight=False)
        errors.print(f"[red]audit trail broken:[/red] {len(problems)} problems", highlight=False)
        raise typer.Exit(1)
    console.print("audit trail intact")


@app.command("anchor")
def anchor() -> None:
    """Print the chain's head as RECORD:HASH, to keep outside the system for `verify --anchor`."""
    with opened_runtime() as rt:
        number, digest = audit_review.chain_anchor(rt, console_actor(rt))
    console.print(f"{number}:{digest}", highlight=False)


@app.command("query")
def query(
    member: Annotated[str | None, typer.Option(help="The member who acted.")] = None,
    since: Annotated[
        str | None, typer.Option(help="From this time (ISO 8601 or a date; the department's zone).")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Before this time (ISO 8601 or a date; the department's zone)."),
    ] = None,
    case: Annotated[str | None, typer.Option(help="The case number.")] = None,
    purpose: PurposeFilter = None,
    action: Annotated[str | None, typer.Option(help="The action, e.g. search_reads.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many records, oldest first.")] = 500,
    as_json: JsonFlag = False,
) -> None:
    """Show audit records by member, time, case, purpose and action."""
    where = AuditFilter(
        actor=member,
        since=parse_time(since),
        until=parse_time(until),
        case_number=case,
        purpose=purpose,
        action=action,
    )
    with opened_runtime() as rt:
        found = audit_review.query_audit(rt, console_actor(rt), where=where, limit=limit)
    if as_json:
        print_json(found)
    else:
        table = new_table(
            "id",
            "time",
            "member",
            "action",
            "outcome",
            "purpose",
            "case",
            "results",
            times={"time"},
        )
        table.add_column("parameters", overflow="fold")
        for r in found:
            table.add_row(*_row(r, rt.settings.zone), json.dumps(r.parameters, sort_keys=True))
        console.print(table)
    if len(found) == limit:
        errors.print(f"showing the first {limit} records: narrow the query or raise --limit")


@app.command("sample")
def sample(
    since: Annotated[
        str, typer.Option(help="Start of the period (ISO 8601 or a date; the department's zone).")
    ],
    until: Annotated[
        str,
        typer.Option(
            help="End of the period, not included (ISO 8601 or a date; the department's zone)."
        ),
    ],
    size: Annotated[int, typer.Option(help="How many searches to draw.")],
    seed: Annotated[
        int | None, typer.Option(help="Seed of the draw: the same seed draws the same searches.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Draw searches of a period at random for review."""
    with opened_runtime() as rt:
        review = audit_review.sample_searches(
            rt,
            console_actor(rt),
            since=required_time(since),
            until=required_time(until),
            size=size,
            seed=seed,
        )
    if as_json:
        print_json([review])
        return
    zone = rt.settings.zone
    console.print(
        f"review {review.id}: {len(review.items)} searches of "
        f"{show_time(review.period_start, zone)} to {show_time(review.period_end, zone)} "
        f"(asked {review.sample_size}, seed {review.seed})"
    )
    console.print(_items(review.items, zone))


@app.command("review")
def review(
    review_id: RecordId,
    item_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)],
    finding: Annotated[Finding, typer.Option(help="Was the search justified?")],
    notes: Annotated[str | None, typer.Option(help="Why; required when not justified.")] = None,
) -> None:
    """Record the finding on one sampled search."""
    with opened_runtime() as rt:
        item = audit_review.review_search(
            rt,
            console_actor(rt),
            review_id=review_id,
            item_id=item_id,
            finding=finding,
            notes=notes,
        )
    console.print(f"item {item.id} of review {review_id}: {item.finding} ({item.reviewed_by})")


@app.command("report")
def report(review_id: RecordId, as_json: JsonFlag = False) -> None:
    """Show a review's findings and the flags of its period."""
    with opened_runtime() as rt:
        result = audit_review.review_report(rt, console_actor(rt), review_id=review_id)
    if as_json:
        print_json([result])
    else:
        _print_report(result, rt.settings.zone)


def _print_report(result: ReviewReport, zone: tzinfo | None) -> None:
    review = result.review
    state = f"closed {show_time(review.closed_at, zone)}" if review.closed_at else "open"
    console.print(
        f"review {review.id} of {show_time(review.period_start, zone)} to "
        f"{show_time(review.period_end, zone)}, drawn by {review.created_by}, {state}"
    )
    console.print(
        f"{result.justified} justified, {result.not_justified} not justified, "
        f"{result.pending} pending; {result.searches} searches in the period"
    )
    console.print(_items(review.items, zone))
    console.print(f"searches without results: {len(result.without_results)}")
    for r in result.without_results:
        console.print(
            f"  record {r.id}: {r.actor} {show_time(r.at, zone)} {r.action} case {r.case_number}"
        )
    console.print(f"days with many searches: {len(result.busy_days)}")
    for day in result.busy_days:
        console.print(f"  {day.actor}: {day.searches} searches on {day.day} (UTC)")
    console.print(f"searches at unusual hours: {len(result.unusual_hours)}")
    for odd in result.unusual_hours:
        records = ", ".join(str(i) for i in odd.record_ids)
        console.print(
            f"  {odd.actor}: {odd.hour:02d}:00 UTC holds {odd.share:.1%} of their searches "
            f"(records {records})"
        )


def _items(items: tuple[ReviewItem, ...], zone: tzinfo | None) -> Table:
    table = new_table(
        "item", "record", "time", "member", "action", "outcome", "purpose", "case", times={"time"}
    )
    table.add_column("results")
    table.add_column("parameters", overflow="fold")
    for column in ("finding", "by", "notes"):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item.id),
            *_row(item.record, zone),
            json.dumps(item.record.parameters, sort_keys=True),
            item.finding or "pending",
            item.reviewed_by or "",
            item.notes or "",
        )
    return table


def _row(r: AuditRecord, zone: tzinfo | None) -> tuple[str, ...]:
    return (
        str(r.id),
        show_time(r.at, zone, seconds=True),
        r.actor,
        r.action,
        r.outcome,
        r.purpose or "",
        r.case_number or "",
        "" if r.result_count is None else str(r.result_count),
    )
