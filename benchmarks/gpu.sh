#!/usr/bin/env bash
# GPU checks for issue 5 (< 8 minutes): the model tests on CUDA-capable torch, then training
# speed of every backbone on the GPU and a Transformer run towards 0.99 accuracy at 40+.
# Writes JSON (and logs) to $OUT (default: benchmarks/results/gpu).
set -u
OUT="${OUT:-benchmarks/results/gpu}"
mkdir -p "$OUT"
timeout 120 python -m pytest -q -x tests/models/test_train.py -k "not learns" \
  > "$OUT/tests.log" 2>&1; echo "{\"tests_rc\": $?}" > "$OUT/tests.json"
timeout 120 python -m benchmarks.train_speed --device cuda --steps 50 \
  --out "$OUT/train_speed_cuda.json" --markdown "$OUT/train_speed_cuda.md" \
  > "$OUT/train_speed_cuda.log" 2>&1
timeout 200 python -m benchmarks.train_speed --device cuda --steps 50 --models transformer \
  --target-steps 6000 --out "$OUT/train_target_cuda.json" \
  > "$OUT/train_target_cuda.log" 2>&1
echo done
