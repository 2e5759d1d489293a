"""The held-out split of a folder: by image, or by plate where a plate has several crops."""

import json
from pathlib import Path

from platewarden.vision.dataset import heldout_names, load_truth


def _folder(tmp_path: Path, rows: list[dict]) -> Path:
    (tmp_path / "truth.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path


def test_a_plate_with_several_crops_falls_wholly_in_one_split(tmp_path: Path) -> None:
    rows = [
        {"image": f"{p}_{i}.jpg", "plate": p, "track": f"t{p}"}
        for p in (f"AB{n:04d}" for n in range(40))
        for i in range(3)
    ]
    folder = _folder(tmp_path, rows)
    held = {t.plate for t in load_truth(folder, "heldout")}
    train = {t.plate for t in load_truth(folder, "train")}
    assert held
    assert not held & train
    assert len(held) == 12  # 30% of the 40 plates, whatever their number of crops


def test_a_folder_of_single_images_splits_by_image_name(tmp_path: Path) -> None:
    rows = [{"image": f"img{n}.jpg", "plate": "SAME123"} for n in range(20)]
    folder = _folder(tmp_path, rows)
    held = {t.image.name for t in load_truth(folder, "heldout")}
    assert held == heldout_names([r["image"] for r in rows])
