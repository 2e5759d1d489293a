"""`platewarden search`: reads for a lawful purpose tied to a case."""

from pathlib import Path
from typing import Annotated

import typer

from platewarden.cli.choices import Purpose
from platewarden.cli.context import console, console_actor, errors, opened_runtime
from platewarden.cli.images import image_folder, save_file
from platewarden.cli.output import JsonFlag, new_table, print_json
from platewarden.cli.times import parse_time, show_time
from platewarden.image_format import suffix_for
from platewarden.services.search import SearchQuery, read_image, search_reads


def search(
    purpose: Purpose,
    case: Annotated[str, typer.Option(help="The case number the search serves.")],
    plate: Annotated[str | None, typer.Option(help="A plate, or a pattern with ? and *.")] = None,
    ocr_equivalent: Annotated[
        bool, typer.Option(help="Also find look-alike reads (0/O, 8/B …).")
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="Window start (ISO 8601 or a date; the department's zone).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Window end (ISO 8601 or a date; the department's zone).")
    ] = None,
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: Annotated[float | None, typer.Option(help="Canvass radius in metres.")] = None,
    limit: int = 200,
    after: Annotated[
        str | None, typer.Option(help="Continue after this cursor (printed under a full page).")
    ] = None,
    images: Annotated[
        Path | None, typer.Option(help="Save each read's plate crop here (audited).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Search reads by plate, time, camera and area; purpose and case number are required."""
    query = SearchQuery(
        purpose=purpose,
        case_number=case,
        plate=plate,
        ocr_equivalent=ocr_equivalent,
        since=parse_time(since),
        until=parse_time(until),
        camera=camera,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        limit=limit,
        after=after,
    )
    with opened_runtime() as rt:
        actor = console_actor(rt)
        result = search_reads(rt, actor, query)
        if images is not None:
            folder = image_folder(images)
            for read in result.reads:
                if read.crop_blob:
                    data = read_image(
                        rt, actor, read_id=read.id, which="crop", purpose=purpose, case_number=case
                    )
                    save_file(folder / f"read-{read.id}-crop{suffix_for(data)}", data)
    more = f"more with --after {result.next_cursor}" if result.next_cursor else ""
    if as_json:
        print_json(result.reads)
        if more:
            errors.print(more, highlight=False)
        return
    table = new_table(
        "read", "plate", "state", "captured", "camera", "position", "conf.", times={"captured"}
    )
    for read in result.reads:
        position = f"{read.latitude:.5f}, {read.longitude:.5f}" if read.latitude is not None else ""
        table.add_row(
            str(read.id),
            read.plate,
            read.jurisdiction or "",
            show_time(read.captured_at, rt.settings.zone, seconds=True),
            read.camera or read.source_name,
            position,
            f"{read.confidence:.2f}",
        )
    console.print(table)
    console.print(f"{len(result.reads)} reads shown" + (f"; {more}" if more else ""))
