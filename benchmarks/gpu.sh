#!/usr/bin/env bash
# GPU checks (at most about 8 minutes on one H200), in order of importance, each part under
# its own timeout so that a slow part cannot starve the others. Writes JSON, markdown and logs
# to $OUT (default: benchmarks/results/gpu); copy them into benchmarks/results/ afterwards.
#   1. the CUDA-only tests: sampler on CUDA, captured graph == eager step, graph run resumes
#   2. steps/s of every backbone, eager and CUDA graph, paper scale, batch 64
#   3. time to 0.99 accuracy at positions >= 40 (Transformer, CUDA graph, batch 64, 120 s cap)
#   4. Transformer steps/s with torch.compile, with and without the graph, and at batch 256
#   5. a larger-batch target run (batch 256, lr 3e-4, 200 warm-up steps, 75 s cap)
#   6. sampling throughput on CUDA (prompts/s, 20 s)
set -u
OUT="${OUT:-benchmarks/results/gpu}"
mkdir -p "$OUT"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
python - > "$OUT/env.json" 2>&1 <<'EOF'
import json, torch
print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda,
                  "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}))
EOF

timeout 60 python -m pytest -q -rs tests/models/test_steps.py tests/boolfun/test_samplers.py \
  -k "cuda or graph" > "$OUT/tests.log" 2>&1
echo "{\"tests_rc\": $?}" > "$OUT/tests.json"

timeout 110 python -m benchmarks.train_speed --device cuda --steps 20 --modes eager graph \
  --out "$OUT/train_speed_cuda.json" --markdown "$OUT/train_speed_cuda.md" \
  > "$OUT/train_speed_cuda.log" 2>&1

timeout 140 python -m benchmarks.train_speed --device cuda --models transformer --steps 20 \
  --modes graph --target graph:64:1e-4:0 --target-seconds 120 \
  --out "$OUT/train_target_64.json" --markdown "$OUT/train_target_64.md" \
  > "$OUT/train_target_64.log" 2>&1

timeout 70 python -m benchmarks.train_speed --device cuda --models transformer --steps 30 \
  --modes compile compile+graph graph --batches 64 256 \
  --out "$OUT/train_speed_modes.json" --markdown "$OUT/train_speed_modes.md" \
  > "$OUT/train_speed_modes.log" 2>&1

timeout 90 python -m benchmarks.train_speed --device cuda --models transformer --steps 10 \
  --modes graph --batches 256 --target graph:256:3e-4:200 --target-seconds 75 \
  --out "$OUT/train_target_256.json" --markdown "$OUT/train_target_256.md" \
  > "$OUT/train_target_256.log" 2>&1

timeout 30 python -m benchmarks.sampling --seconds 20 \
  --out "$OUT/sampling_cuda.json" --markdown "$OUT/sampling_cuda.md" \
  > "$OUT/sampling_cuda.log" 2>&1
echo done
