#!/usr/bin/env bash
# Train the OCR on a GPU machine (training/README.md, "Round 12"): a 400-step trial sets how many
# steps fit in BUDGET seconds, then the run. Needs .gpu/data (training/slim_data.py) and the
# renderer's fonts under .gpu/fonts/usr/share/fonts; writes the export, checkpoint and logs to OUT.
set -uo pipefail
OUT=${OUT:-training/work/gpu}
BUDGET=${BUDGET:-380}
mkdir -p "$OUT"
cp -r .gpu/fonts/usr / || exit 1
export PYTHONPATH=src:. PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
ARGS=(--render --data .gpu/data --device cuda --workers 15 --sets us eu br us-crops br-crops
    --sqrt-balance --heavy --small 0.2 --real-fraction 0.5 --batch 128 --lr 2e-3 --threads 1
    --seed 60)
python3 -m training.train_ocr "${ARGS[@]}" --steps 401 --ckpt /tmp/trial/ocr.pt \
    --out /tmp/trial/ocr.onnx 2>&1 | grep -v Warning | tee "$OUT/trial.log"
STEPS=$(python3 - "$OUT/trial.log" "$BUDGET" <<'EOF'
import re, sys
seconds = dict(re.findall(r"^step (\d+) loss \S+ (\d+)s", open(sys.argv[1]).read(), re.M))
rate = 300 / max(1, int(seconds["400"]) - int(seconds["100"]))
print(min(40000, max(6000, int(rate * float(sys.argv[2])) // 1000 * 1000)))
EOF
) || exit 1
echo "steps: $STEPS" | tee -a "$OUT/trial.log"
timeout $((BUDGET + 100)) python3 -m training.train_ocr "${ARGS[@]}" --steps "$STEPS" \
    --ckpt "$OUT/ocr12.pt" --out "$OUT/ocr12.onnx" 2>&1 | grep -v Warning | tee "$OUT/ocr12.log"
