#!/usr/bin/env bash
# Train a model on a lent GPU machine (training/README.md, "On a GPU machine"):
#   BUDGET=380 bash training/gpu_train.sh ocr|detector TRAINING_OPTIONS...
# (DEVICE=cpu WORKERS=2 tries it here.)
# A 400-step trial with the same options sets how many steps fit in BUDGET seconds (6,000 to
# 40,000), then the run writes its export, checkpoint and log to OUT. The options name the copy
# of the data (--data .gpu/ocr or .gpu/det, from training/slim_data.py); the renderer's fonts
# come from .gpu/fonts/usr/share/fonts.
set -uo pipefail
MODEL=${1:?ocr or detector}
shift
OUT=${OUT:-training/work/gpu}
BUDGET=${BUDGET:-380}
mkdir -p "$OUT"
cp -r .gpu/fonts/usr / || exit 1
export PYTHONPATH=src:. PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
RUN=(python3 -m "training.train_$MODEL" --device "${DEVICE:-cuda}" --workers "${WORKERS:-15}" --threads 1 "$@")
"${RUN[@]}" --steps 401 --ckpt /tmp/trial/model.pt --out /tmp/trial/model.onnx 2>&1 \
    | grep -v Warning | tee "$OUT/trial.log"
STEPS=$(python3 - "$OUT/trial.log" "$BUDGET" <<'PY'
import re, sys
seconds = dict(re.findall(r"^step (\d+) loss .* (\d+)s$", open(sys.argv[1]).read(), re.M))
rate = 300 / max(1, int(seconds["400"]) - int(seconds["100"]))
print(min(40000, max(6000, int(rate * float(sys.argv[2])) // 1000 * 1000)))
PY
) || exit 1
echo "steps: $STEPS" | tee -a "$OUT/trial.log"
timeout $((BUDGET + 100)) "${RUN[@]}" --steps "$STEPS" --ckpt "$OUT/$MODEL.pt" \
    --out "$OUT/$MODEL.onnx" 2>&1 | grep -v Warning | tee "$OUT/$MODEL.log"
