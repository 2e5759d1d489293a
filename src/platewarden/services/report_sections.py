"""The yearly report's words and tables: the summary and the sections, built once from the figures.

The HTML, the PDF and the CSV files are all written from these sections (report_render), so
they say the same thing. Purposes are named by their titles in the policy.
"""

from dataclasses import dataclass
from datetime import datetime

from platewarden.services.report_figures import (
    NEW_CAMERA_DAYS,
    CameraFigures,
    Tally,
    YearlyReport,
)

NO_LAWFUL_PURPOSE = "refused: no lawful purpose named"


@dataclass(frozen=True)
class Chart:
    """A bar chart of one section: labels, and one or more named series."""

    file: str
    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    horizontal: bool = False


@dataclass(frozen=True)
class Section:
    """One section of the report: what it counts, its table, and its chart when it has one."""

    key: str  # the CSV file's name
    title: str
    note: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    chart: Chart | None = None


def _minutes(value: float | None) -> str:
    return "none confirmed" if value is None else f"{value:.1f} min"


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """Return "1 stop", "2 stops": a number with its noun."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def summary(report: YearlyReport) -> list[str]:
    """Say the year's headline figures in plain words."""
    r, a, s = report, report.alerts, report.searches.total
    lines = []
    if r.empty:
        lines.append(
            f"No activity was recorded in {r.year}: no reads, alerts, searches, holds, purges, "
            "sharing requests, audits, maintenance or policy changes. The sections below are empty."
        )
    if not r.complete:
        lines.append(f"{r.year} is not over: the figures run to {_day(r.end)}.")
    retained = sum(m.retained for m in r.reads_by_month)
    outcome = a.outcomes.get
    lines += [
        f"The system recorded {_count(r.reads, 'plate read')} in {r.year}; {retained} of them "
        "are still stored, the others were purged when their retention period ended.",
        f"Hot-list hits raised {_count(a.raised, 'alert')}. Officers confirmed {a.confirmed} "
        f"and rejected {a.rejected}; the median time from alert to confirmation was "
        f"{_minutes(a.median_minutes)} (90th percentile {_minutes(a.p90_minutes)}).",
        f"Confirmed hits led to {_count(outcome('stop_made', 0), 'stop')}, "
        f"{_count(outcome('vehicle_recovered', 0), 'vehicle')} recovered and "
        f"{_count(outcome('arrest', 0), 'arrest')}.",
        f"Members searched the data {_count(s.allowed, 'time')}, each for a lawful purpose and "
        f"a case; {_count(s.with_results, 'search', 'searches')} found reads, and "
        f"{_count(s.denied, 'search', 'searches')} were refused"
        + (
            f" ({report.searches.refused_without_lawful_purpose} of them named no lawful purpose)."
            if report.searches.refused_without_lawful_purpose
            else "."
        ),
        f"{_count(r.members.active, 'member')} had access at the end of the period; "
        f"{r.members.lapsed} of them had a role whose training had lapsed.",
        f"{_count(r.holds.placed, 'hold')} kept data past retention "
        f"({r.holds.by_kind.get('preservation', 0)} for preservation requests); "
        f"{_count(r.purges.runs, 'purge')} removed {_count(r.purges.reads_purged, 'read')}.",
        f"Other agencies made {_count(r.sharing.received, 'request')} for data: "
        f"{r.sharing.approved} approved, {r.sharing.denied} denied, {r.sharing.referred} "
        f"referred to records release, {r.sharing.fulfilled} fulfilled. The department made "
        f"{_count(r.sharing.outgoing, 'request')} to systems it does not operate.",
        f"{_count(r.audits.reviews, 'audit')} reviewed "
        f"{_count(r.audits.sampled, 'search', 'searches')}: {r.audits.justified} justified, "
        f"{r.audits.not_justified} not justified.",
        f"{_count(len(r.maintenance.calibration_overdue), 'camera')} in service "
        f"{'was' if len(r.maintenance.calibration_overdue) == 1 else 'were'} overdue for "
        "calibration at the end of the period. A changed policy file was put in force "
        f"{_count(len(r.policy_changes), 'time')} (the first start counts as one).",
    ]
    return lines


def sections(report: YearlyReport) -> list[Section]:
    """Build the report's sections, each with a note on what its figures count."""
    r = report
    months = tuple(m.month for m in r.reads_by_month)
    return [
        Section(
            "cameras",
            "Cameras in service and their uptime",
            "Uptime is the share of a camera's days in the period (from its registration, when "
            "later) during which its status was 'active', rebuilt from the audit trail of status "
            "changes. The system has no live signal from a camera: a camera left 'active' while "
            "broken counts as up. A camera registered less than "
            f"{_count(int(NEW_CAMERA_DAYS), 'day')} before the period's end is marked new: its "
            "uptime is not yet a meaningful figure. Repairs: maintenance records of kind repair "
            "done in the period.",
            ("camera", "kind", "status at end", "days", "days in service", "uptime %", "repairs"),
            tuple(_camera_row(c) for c in r.cameras),
        ),
        Section(
            "reads_by_month",
            "Reads per month",
            "Stored: reads captured in the month (local time) and still kept. Purged: reads "
            "deleted by the purges whose cutoff fell in the month; with the nightly purge that "
            "is the day of capture, and reads a hold kept are counted when finally purged.",
            ("month", "stored", "purged", "total"),
            tuple((m.month, m.retained, m.purged, m.total) for m in r.reads_by_month),
            Chart(
                "reads_by_month.png",
                "Reads per month",
                months,
                (
                    ("stored", tuple(m.retained for m in r.reads_by_month)),
                    ("purged", tuple(m.purged for m in r.reads_by_month)),
                ),
            ),
        ),
        Section(
            "reads_by_camera",
            "Reads per camera (stored reads only)",
            "Only reads still stored (not yet past retention, or held) can be counted by camera: "
            "a purge records how many reads it deleted, not from which camera.",
            ("camera", "stored reads"),
            tuple(r.reads_by_camera.items()),
        ),
        _counts_section(
            "hits_by_purpose",
            "Hot-list hits by purpose",
            "Alerts raised in the period by the purpose of the hot-list entry hit. Hits counts "
            "every read that hit, including repeats folded into an open alert.",
            {_title(r, code): n for code, n in r.alerts.by_purpose.items()},
            ("purpose", "alerts"),
        ),
        _alerts_section(r),
        _counts_section(
            "outcomes",
            "Outcomes of confirmed hits",
            "What officers recorded as the result of a confirmed hit raised in the period.",
            r.alerts.outcomes,
            ("outcome", "alerts"),
        ),
        _search_section(
            "searches_by_purpose",
            "Searches by purpose",
            {_title(r, code): t for code, t in r.searches.by_purpose.items()},
            refused_apart=r.searches.refused_without_lawful_purpose,
        ),
        _search_section("searches_by_role", "Searches by role", r.searches.by_role),
        Section(
            "members",
            "Members with access and training compliance",
            "Members active at the end of the period. A role is in force when its course is on "
            "record and current at the end of the period, as at log-on. Log-ons are in the period.",
            ("role", "members holding it", "with current training"),
            (
                *((role, n, t) for role, (n, t) in r.members.by_role.items()),
                ("all members", r.members.active, r.members.compliant),
                ("members with lapsed training", r.members.lapsed, ""),
                ("log-ons / failed log-ons", r.members.logons, r.members.failed_logons),
            ),
        ),
        Section(
            "audits",
            "Audits run and their findings",
            "Audit reviews drawn in the period: random samples of searches, each judged "
            "justified or not; checks of the audit trail's hash chain; and the trail's last "
            "record in the period, which a later check can compare with the trail.",
            ("figure", "count"),
            (
                ("reviews drawn", r.audits.reviews),
                ("reviews closed", r.audits.closed),
                ("searches sampled", r.audits.sampled),
                ("justified", r.audits.justified),
                ("not justified", r.audits.not_justified),
                ("awaiting a finding", r.audits.pending),
                ("audit chain checks", r.audits.chain_checks),
                ("checks that found the chain broken", r.audits.chain_failures),
                ("last record of the period (an anchor for audit verify)", r.audits.chain_head),
            ),
        ),
        Section(
            "sharing",
            "Sharing requests",
            "Requests received in the period from other agencies (426.7), by where they stand "
            "now; approved includes those fulfilled. Outgoing: our requests to other systems.",
            ("figure", "count"),
            (
                ("received", r.sharing.received),
                ("approved", r.sharing.approved),
                ("denied", r.sharing.denied),
                ("referred to records release", r.sharing.referred),
                ("fulfilled", r.sharing.fulfilled),
                ("pending", r.sharing.pending),
                ("outgoing requests", r.sharing.outgoing),
                *((f"from: {kind}", n) for kind, n in r.sharing.by_agency_type.items()),
            ),
        ),
        Section(
            "holds",
            "Preservation requests and holds",
            "Holds placed in the period by kind (a preservation request is an outside agency's "
            "request), the reads they kept, and evidence exports made in the period.",
            ("figure", "count"),
            (
                *((f"holds: {kind}", n) for kind, n in r.holds.by_kind.items()),
                ("holds placed", r.holds.placed),
                ("reads kept by them", r.holds.reads_held),
                ("released in the period", r.holds.released),
                ("holds in force at the end", r.holds.active_at_end),
                ("evidence exports", r.holds.exports),
                ("reads exported", r.holds.exported_reads),
            ),
        ),
        Section(
            "purges",
            "Purges",
            "Purges run in the period (dry runs not counted); a shredded day's images cannot "
            "be read back even from a backup.",
            ("figure", "count"),
            (
                ("purges run", r.purges.runs),
                ("reads purged", r.purges.reads_purged),
                ("images purged", r.purges.images_purged),
                ("days shredded", r.purges.days_shredded),
            ),
        ),
        Section(
            "maintenance",
            "Maintenance and calibration",
            "Maintenance records whose work was done in the period, by kind; and the cameras "
            "in service at the end whose calibration was past due or never done.",
            ("figure", "count"),
            (
                *((f"done: {kind}", n) for kind, n in r.maintenance.done_by_kind.items()),
                ("calibration overdue", len(r.maintenance.calibration_overdue)),
                *((f"overdue: {name}", "") for name in r.maintenance.calibration_overdue),
            ),
        ),
        Section(
            "policy_changes",
            "Policy changes",
            "Starts of the system under a policy file that differed from the last one recorded.",
            ("date", "reason", "source", "retention days"),
            tuple(
                (_day(c.at), c.reason, c.source, c.retention_days or "") for c in r.policy_changes
            ),
        ),
    ]


def _camera_row(c: CameraFigures) -> tuple[object, ...]:
    if c.new:
        days: tuple[str, ...] = (f"under {_count(int(NEW_CAMERA_DAYS), 'day')}", "", "new")
    else:
        uptime = "" if c.uptime is None else f"{100 * c.uptime:.1f}"
        days = (f"{c.days_in_period:.1f}", f"{c.days_in_service:.1f}", uptime)
    return (c.name, c.kind, c.status_at_end, *days, c.repairs)


def _title(report: YearlyReport, code: str) -> str:
    """Return a purpose's title in the policy (an earlier policy's purpose keeps its code)."""
    return report.purpose_titles.get(code, code)


def _counts_section(
    key: str, title: str, note: str, counts: dict[str, int], columns: tuple[str, str]
) -> Section:
    labels = tuple(counts)
    values = tuple(counts.values())
    chart = Chart(f"{key}.png", title, labels, ((columns[1], values),), horizontal=True)
    return Section(key, title, note, columns, tuple(counts.items()), chart if counts else None)


def _alerts_section(r: YearlyReport) -> Section:
    a = r.alerts
    rows: list[tuple[object, ...]] = [
        ("alerts raised", a.raised),
        ("hits", a.hits),
        *((f"status now: {status}", n) for status, n in a.by_status.items()),
        ("confirmed", a.confirmed),
        ("rejected", a.rejected),
        *((f"rejected: {reason}", n) for reason, n in a.rejected_by_reason.items()),
        ("median minutes to confirmation", _minutes(a.median_minutes)),
        ("90th percentile minutes to confirmation", _minutes(a.p90_minutes)),
    ]
    return Section(
        "alerts",
        "Alerts confirmed and rejected",
        "Alerts raised in the period, by where they stand now. Confirmed means checked by eye "
        "and by other means (426.4 f). Time to confirmation runs from the alert to the "
        "confirmation by other means; the 90th percentile is by nearest rank.",
        ("figure", "value"),
        tuple(rows),
    )


def _search_section(
    key: str, title: str, tallies: dict[str, Tally], *, refused_apart: int | None = None
) -> Section:
    note = (
        "Plate queries and history searches in the period, from the audit trail. A search "
        "with results found at least one read. By role: the roles the member holds at the "
        "time of the report; 'not a member' is the console operator before first run."
    )
    rows: list[tuple[object, ...]] = [
        (name, t.allowed, t.with_results, t.without_results, t.denied)
        for name, t in tallies.items()
    ]
    chart = Chart(
        f"{key}.png",
        title,
        tuple(tallies),
        (
            ("with results", tuple(t.with_results for t in tallies.values())),
            ("without", tuple(t.without_results for t in tallies.values())),
        ),
        horizontal=True,
    )
    if refused_apart is not None:
        note += (
            " Every lawful purpose of the policy has a row. A search that named no lawful "
            "purpose (a made-up one, or none) is refused and counted apart, in the last row."
        )
        rows.append((NO_LAWFUL_PURPOSE, 0, 0, 0, refused_apart))
    return Section(
        key,
        title,
        note,
        (key.rsplit("_", 1)[-1], "searches", "with results", "without results", "refused"),
        tuple(rows),
        chart if any(t.allowed for t in tallies.values()) else None,
    )
