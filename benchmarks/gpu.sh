#!/usr/bin/env bash
# The device kit: GPU checks on a lent machine (one H200, about 8 minutes), or a dry run here.
#
#   bash benchmarks/prepare_kit.sh        # HERE first: python-sat + project wheels into .whl/
#   bash benchmarks/gpu.sh                # THERE (device tool, carry [".whl"]): results in $OUT
#   bash benchmarks/gpu.sh --dry-run      # HERE: the same kit in a fresh venv without python-sat
#
# Steps: check the kit (.whl/ holds one python-sat wheel for this Python and the project's
# wheel), install it offline (pip --target, then PYTHONPATH), check the environment (Python,
# torch, CUDA, GPU and its memory, CPUs, the project's imports and a SAT call), then run the
# parts below in order of importance, each under its own timeout and all within one budget
# (--budget, default 470 s), so that a slow part cannot starve the next ones. After every part
# $OUT gets (at most three files, since only 8 come back from the device):
#   gpu.json     everything: env, and each part's status, rc, seconds, result JSON, log tail
#   gpu.md       a readable summary with each part's markdown table
#   logs.tar.gz  every log and per-part file
# so a run killed half-way still leaves the parts done so far. Exit status: 0 when every part
# that ran passed, 1 when some part failed or timed out, 2 when the kit, the install or the
# environment check failed.
#
# Options (or the variables in brackets): --dry-run [DRY_RUN=1], --wheels DIR [WHEELS, default
# .whl], --target DIR [TARGET, default /tmp/boolicl-site], --parts "A B" [PARTS: run only these
# parts], --budget S [BUDGET], --venv DIR [DRY_VENV: reuse a dry-run venv], --keep [KEEP=1:
# keep the temporary folders], --list (print the parts with their seconds; run nothing).
# $OUT: default benchmarks/results/gpu, a dry run's /tmp/boolicl-gpu-dry-run. $PYTHON: default
# python3. See benchmarks/README.md.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD

DRY_RUN=${DRY_RUN:-0}
WHEELS=${WHEELS:-}
TARGET=${TARGET:-}
PARTS=${PARTS:-}
BUDGET=${BUDGET:-}
DRY_VENV=${DRY_VENV:-}
KEEP=${KEEP:-0}
LIST=0
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) DRY_RUN=1; shift ;;
    --wheels) WHEELS=$2; shift 2 ;;
    --target) TARGET=$2; shift 2 ;;
    --parts) PARTS=$2; shift 2 ;;
    --budget) BUDGET=$2; shift 2 ;;
    --venv) DRY_VENV=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --list) LIST=1; shift ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$DRY_RUN" = 1 ] || DRY_RUN=0

HOST_PY=$(command -v "${PYTHON:-python3}") || { echo "gpu.sh: no ${PYTHON:-python3}" >&2; exit 2; }
MIN_PART=10   # a part gets at least this many seconds, or is not run (out_of_time)
SKIP_REASON=
CHILD=
CURRENT=
FAILED=0
if [ "$DRY_RUN" = 1 ]; then
  MODE=dry-run
  BUDGET=${BUDGET:-900}
  OUT=${OUT:-${TMPDIR:-/tmp}/boolicl-gpu-dry-run}
  DRY_DIR=
else
  MODE=gpu
  BUDGET=${BUDGET:-470}
  OUT=${OUT:-benchmarks/results/gpu}
  DRY_DIR=
  TARGET=${TARGET:-/tmp/boolicl-site}
fi

now() { local t=${EPOCHREALTIME:-$(date +%s.%N)}; printf '%s' "${t/,/.}"; }

# meta BASE STATUS RC NOMINAL LIMIT START END REASON: a part's record for the assembler
meta() {
  printf 'status=%s\nrc=%s\nnominal=%s\nlimit=%s\nstart=%s\nend=%s\nreason=%s\n' \
    "$2" "$3" "$4" "$5" "$6" "$7" "${8//$'\n'/ }" > "$1.meta"
}

# assemble [FINAL]: gpu.json, gpu.md and logs.tar.gz in $OUT from everything recorded so far
assemble() {
  "$HOST_PY" "$WORK/assemble.py" "$WORK" "$OUT" "${1:-0}" 2>> "$WORK/assemble.log" \
    || echo "gpu.sh: assembling the results failed (see assemble.log in logs.tar.gz)" >&2
}

is_infra() { case $1 in dry_venv|prepare|kit|install|env) return 0 ;; esac; return 1; }
selected() {
  [ -z "$PARTS" ] && return 0
  case " $PARTS " in *" $1 "*) return 0 ;; esac
  return 1
}

# part NAME SECONDS CMD...: run CMD from the repository root under `timeout SECONDS` (less if
# the budget has less left; not run under MIN_PART), its output in NAME.log, and record status
# (ok, failed, timeout, killed, skipped, out_of_time), rc and seconds. In CMD, {json}, {md} and
# {dir} stand for the part's own result JSON, markdown and scratch folder (gpu.json and gpu.md
# embed the first two).
# Returns CMD's exit status (0 when skipped).
part() {
  local name=$1 nominal=$2 a reason= late=0 left limit start rc status=skipped
  shift 2
  if ((LIST)); then
    LISTED=$((LISTED + nominal))
    printf '%-18s %4s ' "$name" "$nominal"
    for a in "$@"; do case $a in *" "*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac; done
    echo
    return 0
  fi
  local p=$WORK/parts/$name args=()
  for a in "$@"; do
    a=${a//\{json\}/$p.json}; a=${a//\{md\}/$p.md}; a=${a//\{dir\}/$p.d}; args+=("$a")
  done
  echo "$name" >> "$WORK/order"
  printf '%q ' "${args[@]}" > "$p.cmd"
  left=$((BUDGET - SECONDS))
  limit=$nominal
  if ((left < limit)); then limit=$left; fi
  if [ -n "$SKIP_REASON" ]; then reason=$SKIP_REASON
  elif ! is_infra "$name" && ! selected "$name"; then reason="not in PARTS ($PARTS)"
  elif ((limit < MIN_PART)); then
    reason="out of time: ${left}s left of the ${BUDGET}s budget"; late=1; FAILED=1
  fi
  if [ -n "$reason" ]; then
    ((late)) && status=out_of_time
    meta "$p" "$status" "" "$nominal" 0 "" "" "$reason"
    assemble
    return 0
  fi
  start=$(now)
  meta "$p" running "" "$nominal" "$limit" "$start" "" ""
  assemble
  echo "gpu.sh: $name (up to ${limit}s)" >&2
  CURRENT="$name $nominal $limit $start"
  timeout -k 5 "$limit" "${args[@]}" > "$p.log" 2>&1 < /dev/null &
  CHILD=$!
  wait "$CHILD"
  rc=$?
  CHILD=
  CURRENT=
  status=ok
  if ((rc == 124 || rc == 137)); then status=timeout; elif ((rc != 0)); then status=failed; fi
  [ "$status" = ok ] || FAILED=1
  meta "$p" "$status" "$rc" "$nominal" "$limit" "$start" "$(now)" ""
  assemble
  echo "gpu.sh: $name: $status (rc $rc)" >&2
  return "$rc"
}

on_signal() {
  trap - TERM INT HUP
  [ -n "$CHILD" ] && kill -TERM "$CHILD" 2> /dev/null
  if [ -n "$CURRENT" ]; then
    set -- $CURRENT
    meta "$WORK/parts/$1" killed "" "$2" "$3" "$4" "$(now)" "gpu.sh was stopped during this part"
  fi
  assemble 0
  exit 143
}
trap on_signal TERM INT HUP

# finish CODE: the last assembly, the summary on stdout, and exit
finish() {
  assemble 1
  [ -f "$OUT/gpu.md" ] && cat "$OUT/gpu.md"
  "$HOST_PY" -c 'import json, sys
try:
    error = json.load(open(sys.argv[1])).get("error")
except (OSError, ValueError):
    error = "no readable gpu.json"
if error:
    print("gpu.sh: error:", error, file=sys.stderr)' "$OUT/gpu.json"
  echo "gpu.sh: results in $OUT (gpu.json, gpu.md, logs.tar.gz); exit $1" >&2
  exit "$1"
}

# ---------------------------------------------------------------------------------------------
# The parts. Adding one is one line: `part NAME SECONDS CMD...`, CMD writing {json} (embedded
# in gpu.json) and {md} (in gpu.md) if it can. $PY is the Python with the installed kit. Keep
# the sum of SECONDS within BUDGET (470 s): take a new part's seconds from the others.
gpu_parts() {
  # 1. the CUDA-only tests: sampler on CUDA, captured graph == eager step, graph run resumes
  part tests 50 "$PY" -m pytest -q -rs -p no:cacheprovider tests/models/test_steps.py \
    tests/boolfun/test_samplers.py -k "cuda or graph"
  # 2. steps/s of every backbone, eager and CUDA graph, paper scale, batch 64
  part train_speed_cuda 90 "$PY" -m benchmarks.train_speed --device cuda --steps 20 \
    --modes eager graph --out {json} --markdown {md}
  # 3. time to 0.99 accuracy at positions >= 40 (Transformer, CUDA graph, batch 64)
  part train_target_64 125 "$PY" -m benchmarks.train_speed --device cuda --models transformer \
    --steps 20 --modes graph --target graph:64:1e-4:0 --target-seconds 105 \
    --out {json} --markdown {md}
  # 4. Transformer steps/s with torch.compile, with and without the graph, and at batch 256
  part train_speed_modes 65 "$PY" -m benchmarks.train_speed --device cuda \
    --models transformer --steps 30 --modes compile compile+graph graph --batches 64 256 \
    --out {json} --markdown {md}
  # 5. a larger-batch target run (batch 256, lr 3e-4, 200 warm-up steps)
  part train_target_256 70 "$PY" -m benchmarks.train_speed --device cuda --models transformer \
    --steps 10 --modes graph --batches 256 --target graph:256:3e-4:200 --target-seconds 50 \
    --out {json} --markdown {md}
  # 6. sampling throughput on CUDA (prompts/s)
  part sampling_cuda 20 "$PY" -m benchmarks.sampling --seconds 12 --out {json} --markdown {md}
  # 7. K = 8 models per step (models.stack) against 8 separate runs, model-steps/s
  part train_k_models 35 "$PY" -m benchmarks.train_speed --device cuda --skip-paper \
    --stack 8 --sizes tiny readme --models transformer --steps 20 --out {json} --markdown {md}
}

# The dry run's tiny CPU versions: the same code paths, seconds each.
cpu_parts() {
  part tests_cpu 180 "$PY" -m pytest -q -rs -p no:cacheprovider tests/models/test_steps.py \
    tests/boolfun/test_samplers.py -k "cuda or graph"
  part teach_sat_cpu 60 "$PY" -m boolicl teach conjunction --n 4 --target "x1 & ~x3" --verify \
    --minimal --certificate {json}
  part train_tiny_cpu 90 "$PY" -m boolicl train conjunction --n 4 --points 8 --layers 1 \
    --width 16 --heads 2 --batch 8 --steps 20 --teach mixed:0.5 --eval-every 10 \
    --eval-prompts 32 --device cpu --out {dir} --no-progress --json
  part train_speed_cpu 120 "$PY" -m benchmarks.train_speed --device cpu --models lstm \
    --steps 1 --batches 2 --out {json} --markdown {md}
  part sampling_cpu 60 "$PY" -m benchmarks.sampling --seconds 1 --device cpu \
    --tasks conjunction --out {json} --markdown {md}
  part train_k_models_cpu 90 "$PY" -m benchmarks.train_speed --device cpu --skip-paper \
    --stack 2 --sizes tiny --models transformer --steps 2 --out {json} --markdown {md}
}
# ---------------------------------------------------------------------------------------------

if ((LIST)); then
  PY=python3 LISTED=0
  echo "GPU parts (name, seconds, command):"
  gpu_parts
  echo "total $LISTED s of the ${BUDGET} s budget (install and env check: about 15 s more)"
  LISTED=0
  echo "dry-run CPU parts:"
  cpu_parts
  exit 0
fi

if [ "$DRY_RUN" = 1 ]; then
  DRY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/boolicl-dry.XXXXXX")
  TARGET=${TARGET:-$DRY_DIR/site}
fi
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || { echo "gpu.sh: cannot write to $OUT" >&2; exit 2; }
rm -f "$OUT/gpu.json" "$OUT/gpu.md" "$OUT/logs.tar.gz"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/boolicl-gpu.XXXXXX")
mkdir -p "$WORK/parts"
: > "$WORK/order"
export KIT_MODE=$MODE KIT_BUDGET=$BUDGET KIT_TARGET=$TARGET KIT_PARTS=$PARTS
export KIT_T0=${EPOCHREALTIME:-$(date +%s)} KIT_STARTED=$(date +%Y-%m-%dT%H:%M:%S%z)
SECONDS=0

cleanup() {
  if [ "$KEEP" != 1 ]; then
    rm -rf "$WORK"
    [ -n "$DRY_DIR" ] && rm -rf "$DRY_DIR"
  else
    echo "gpu.sh: kept $WORK ${DRY_DIR:+and $DRY_DIR}" >&2
  fi
}
trap cleanup EXIT

cat > "$WORK/kit_check.py" <<'EOF'
"""Does the wheel folder hold what the install needs, for this Python? Is pysat already there?"""
import collections, glob, json, os, sys

wheels, dry, out = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
ver = "%d.%d" % sys.version_info[:2]
tag = "cp%d%d" % sys.version_info[:2]
res = {"wheels_dir": wheels, "python": sys.version.split()[0], "python_tag": tag, "wheels": []}
missing, problems = [], []
if not os.path.isdir(wheels):
    missing = [f"the python-sat wheel for {tag} (python_sat-*-{tag}-*.whl)",
               "the project wheel (boolicl-*.whl)"]
    problems.append(f"there is no folder {wheels}")
else:
    files = sorted(os.path.basename(f) for f in glob.glob(os.path.join(wheels, "*.whl")))
    res["wheels"] = files
    try:
        with open(os.path.join(wheels, "kit.json")) as f:
            res["kit"] = json.load(f)
    except (OSError, ValueError):
        pass
    pysat = [f for f in files if f.startswith("python_sat-")]
    fits = [f for f in pysat if tag in f.split("-")[-3].split(".")]
    if not fits:
        hint = f"; found only {', '.join(pysat)}, made for another Python" if pysat else ""
        missing.append(f"the python-sat wheel for {tag} (python_sat-*-{tag}-*.whl){hint}")
    if not any(f.startswith("boolicl-") for f in files):
        missing.append("the project wheel (boolicl-*.whl)")
    by_name = collections.defaultdict(list)
    for f in files:
        by_name[f.split("-")[0].lower()].append(f)
    for name, fs in sorted(by_name.items()):
        if len(fs) > 1:
            problems.append(f"several wheels of {name} ({', '.join(fs)}): keep one")
try:
    import pysat
    res["pysat_importable_before"] = True
    res["pysat_before_file"] = pysat.__file__
except ImportError:
    res["pysat_importable_before"] = False
if dry and res["pysat_importable_before"]:
    problems.append("pysat is importable before the install, so the dry run would prove nothing")
res["missing"], res["problems"] = missing, problems
if missing or problems:
    msg = ""
    if missing:
        opts = "" if ver == "3.12" else f" --python-version {ver}"
        opts += "" if wheels == ".whl" else f" --dest {wheels}"
        msg = (f"the kit in {wheels} lacks {' and '.join(missing)}. Make it here, not on the "
               f"device, with: bash benchmarks/prepare_kit.sh{opts} ; then name {wheels} in the "
               "device call's carry")
    res["error"] = "; ".join([msg] * bool(msg) + problems)
    print("gpu.sh: " + res["error"], file=sys.stderr)
res["ok"] = "error" not in res
with open(out, "w") as f:
    json.dump(res, f, indent=2)
print(f"wheels in {wheels}: {', '.join(res['wheels']) or 'none'}; pysat importable before the "
      f"install: {res['pysat_importable_before']}")
sys.exit(0 if res["ok"] else 1)
EOF

cat > "$WORK/env_check.py" <<'EOF'
"""The environment as the parts will see it, imported from outside the repository (this
script's folder is sys.path[0]), so that the project comes from the installed kit."""
import importlib, importlib.metadata as md, json, math, os, platform, shutil, subprocess, sys
import time

out, need_cuda, target = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
t0 = time.time()
errors, warnings = [], []
env = {"python": sys.version.split()[0], "executable": sys.executable,
       "platform": platform.platform(), "hostname": platform.node(),
       "cpu_count": os.cpu_count(), "pythonpath": os.environ.get("PYTHONPATH", ""),
       "target": target}
try:
    env["cpu"] = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                      if line.startswith("model name"))
    kib = next(int(line.split()[1]) for line in open("/proc/meminfo")
               if line.startswith("MemTotal"))
    env["memory_gib"] = round(kib / 2**20, 1)
except (OSError, StopIteration, ValueError):
    pass
imports = {}
kit = os.path.realpath(target) + os.sep
for name in ("pysat", "boolfun", "teaching", "learners", "models", "boolicl"):
    try:
        module = importlib.import_module(name)
        path = os.path.realpath(getattr(module, "__file__", "") or "")
        imports[name] = {"ok": True, "file": path, "from_kit": path.startswith(kit)}
        if not path.startswith(kit):
            warnings.append(f"{name} was imported from {path}, not from the kit in {target}")
    except Exception as e:
        imports[name] = {"ok": False, "error": f"{type(e).__name__}: {e}"[:300]}
        errors.append(f"import {name}: {type(e).__name__}: {e}"[:300])
env["imports"] = imports
versions = {}
for dist in ("python-sat", "boolicl", "torch", "numpy", "scipy", "sympy", "networkx",
             "hypothesis", "matplotlib", "tqdm", "safetensors", "six", "pytest"):
    try:
        versions[dist] = md.version(dist)
    except md.PackageNotFoundError:
        versions[dist] = None
env["versions"] = versions
try:
    from pysat.solvers import Solver

    with Solver(bootstrap_with=[[1, 2], [-1]]) as s:
        sat, model = s.solve(), s.get_model()
    env["pysat_solve"] = {"ok": bool(sat) and model == [-1, 2], "model": model}
    if not env["pysat_solve"]["ok"]:
        errors.append(f"pysat solved [[1, 2], [-1]] wrongly: {sat} {model}")
except Exception as e:
    errors.append(f"pysat solve: {type(e).__name__}: {e}"[:300])
try:
    import torch

    t = {"version": torch.__version__, "cuda": torch.version.cuda,
         "cuda_available": torch.cuda.is_available(), "threads": torch.get_num_threads()}
    if t["cuda_available"]:
        p = torch.cuda.get_device_properties(0)
        free, total = torch.cuda.mem_get_info(0)
        t.update(device_count=torch.cuda.device_count(), gpu=torch.cuda.get_device_name(0),
                 capability=f"{p.major}.{p.minor}", multiprocessors=p.multi_processor_count,
                 memory_free_gib=round(free / 2**30, 2), memory_total_gib=round(total / 2**30, 2),
                 cudnn=torch.backends.cudnn.version(), bf16=torch.cuda.is_bf16_supported())
        x = torch.randn(1024, 1024, device="cuda")
        t["matmul_ok"] = math.isfinite((x @ x).sum().item())
        if not t["matmul_ok"]:
            errors.append("a 1024x1024 matmul on the GPU gave a non-finite sum")
    env["torch"] = t
    if need_cuda and not t["cuda_available"]:
        errors.append("torch sees no CUDA device")
except Exception as e:
    errors.append(f"torch: {type(e).__name__}: {e}"[:300])
if shutil.which("nvidia-smi"):
    query = "name,driver_version,memory.total,memory.used,memory.free,temperature.gpu,clocks.sm"
    try:
        r = subprocess.run(["nvidia-smi", f"--query-gpu={query}", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=20)
        env["nvidia_smi"] = (r.stdout or r.stderr).strip()
    except (OSError, subprocess.SubprocessError) as e:
        env["nvidia_smi"] = f"{type(e).__name__}: {e}"
env["seconds"] = round(time.time() - t0, 2)
env["errors"], env["warnings"], env["ok"] = errors, warnings, not errors
if errors:
    env["error"] = "; ".join(errors)
with open(out, "w") as f:
    json.dump(env, f, indent=2)
t = env.get("torch", {})
print(f"Python {env['python']}, torch {t.get('version')}, CUDA {t.get('cuda')}, GPU "
      f"{t.get('gpu')}, {env['cpu_count']} CPUs; imports: "
      + ", ".join(f"{k} {'ok' if v['ok'] else 'FAILED'}" for k, v in imports.items()))
for line in errors:
    print("error:", line, file=sys.stderr)
for line in warnings:
    print("warning:", line, file=sys.stderr)
sys.exit(0 if env["ok"] else 1)
EOF

cat > "$WORK/assemble.py" <<'EOF'
"""gpu.json, gpu.md and logs.tar.gz in OUT from the parts recorded in WORK (standard library)."""
import json, os, sys, tarfile, time

work, out, final = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
E = os.environ
INFRA = ("dry_venv", "prepare", "kit", "install", "env")
t_now = time.time()


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def tail(path, lines=40, chars=4000):
    try:
        with open(path, errors="replace") as f:
            text = "".join(f.readlines()[-lines:])
    except OSError:
        return ""
    return text[-chars:]


with open(os.path.join(work, "order")) as f:
    names = list(dict.fromkeys(line.strip() for line in f if line.strip()))
parts = []
for name in names:
    base = os.path.join(work, "parts", name)
    meta = {}
    try:
        with open(base + ".meta") as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                meta[k] = v
    except OSError:
        continue
    start, end = num(meta.get("start")), num(meta.get("end"))
    rec = {"name": name, "status": meta.get("status"),
           "rc": int(meta["rc"]) if meta.get("rc") else None,
           "seconds": round((end or t_now) - start, 2) if start else None,
           "limit_s": int(meta.get("limit") or 0), "nominal_s": int(meta.get("nominal") or 0)}
    if meta.get("reason"):
        rec["reason"] = meta["reason"]
    try:
        with open(base + ".cmd") as f:
            rec["command"] = f.read().strip()
    except OSError:
        pass
    if os.path.exists(base + ".json"):
        try:
            with open(base + ".json") as f:
                rec["result"] = json.load(f)
        except (OSError, ValueError) as e:
            rec["result_error"] = f"{type(e).__name__}: {e}"[:300]
    if os.path.exists(base + ".md"):
        with open(base + ".md", errors="replace") as f:
            rec["markdown"] = f.read()[:20000]
    if os.path.exists(base + ".log"):
        rec["log_tail"] = tail(base + ".log")
    parts.append(rec)

by = {p["name"]: p for p in parts}
env = by.get("env", {}).get("result")
summary = {s: [p["name"] for p in parts if p["status"] == s]
           for s in ("ok", "failed", "timeout", "killed", "running", "out_of_time", "skipped")}
bad = [p for p in parts if p["status"] in ("failed", "timeout", "killed", "running", "out_of_time")]
error = None
for p in bad:
    if p["name"] in INFRA:
        r = p.get("result") if isinstance(p.get("result"), dict) else {}
        if p["status"] == "running":
            error = f"{p['name']} did not finish (it is running, or gpu.sh was killed)"
        else:
            error = r.get("error") or p.get("reason") or (
                f"{p['name']} {p['status']} (rc {p['rc']}): " + (p.get("log_tail") or "")[-600:])
        break
doc = {
    "kit": "boolicl device kit (benchmarks/gpu.sh)",
    "mode": E.get("KIT_MODE"),
    "complete": final,
    "ok": final and not bad,
    "error": error,
    "started": E.get("KIT_STARTED"),
    "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "elapsed_s": round(t_now - float(E.get("KIT_T0", t_now).replace(",", ".")), 1),
    "budget_s": int(E.get("KIT_BUDGET") or 0),
    "wheels": E.get("KIT_WHEELS"),
    "target": E.get("KIT_TARGET"),
    "parts_selected": E.get("KIT_PARTS") or "all",
    "summary": summary,
    "env": env,
    "parts": parts,
}


def write(name, data, mode="w"):
    tmp = os.path.join(out, "." + name + ".tmp")
    with open(tmp, mode) as f:
        f.write(data)
    os.replace(tmp, os.path.join(out, name))


write("gpu.json", json.dumps(doc, indent=2) + "\n")

title = "GPU run" if doc["mode"] == "gpu" else "dry run (CPU, fresh venv without python-sat)"
lines = [f"# boolicl device kit: {title}", ""]
if env:
    t = env.get("torch") or {}
    where = (f"{t.get('gpu')} ({t.get('memory_free_gib')} of {t.get('memory_total_gib')} GiB "
             f"free, capability {t.get('capability')})" if t.get("cuda_available") else "no GPU")
    lines.append(f"Machine: {where}; {env.get('cpu')} ({env.get('cpu_count')} CPUs); Python "
                 f"{env.get('python')}, torch {t.get('version')}, CUDA {t.get('cuda')}, "
                 f"python-sat {(env.get('versions') or {}).get('python-sat')}.")
    if env.get("nvidia_smi"):
        lines.append(f"nvidia-smi: {env['nvidia_smi']}.")
    lines.append("")
state = "complete" if final else "INCOMPLETE (still running, or stopped)"
lines += [f"Started {doc['started']}, {doc['elapsed_s']} s of a {doc['budget_s']} s budget, "
          f"{state}; overall: {'ok' if doc['ok'] else 'NOT ok'}.", ""]
if error:
    lines += [f"**Error:** {error}", ""]
lines += ["| part | status | rc | seconds | limit s | note |", "|---|---|---:|---:|---:|---|"]
for p in parts:
    note = p.get("reason", "")
    r = p.get("result")
    if isinstance(r, dict) and r.get("error"):
        note = (note + " " + r["error"]).strip()
    lines.append(f"| {p['name']} | {p['status']} | {'' if p['rc'] is None else p['rc']} | "
                 f"{'' if p['seconds'] is None else p['seconds']} | {p['limit_s']} | "
                 f"{note.replace('|', '/')[:300]} |")
for p in parts:
    if p.get("markdown"):
        lines += ["", f"## {p['name']}", "", p["markdown"].strip()]
for p in (p for p in bad if p.get("log_tail")):
    lines += ["", f"## {p['name']}: {p['status']}, last lines of its log", "", "```",
              (p.get("log_tail") or "").rstrip()[-3000:], "```"]
write("gpu.md", "\n".join(lines) + "\n")

tmp = os.path.join(out, ".logs.tar.gz.tmp")
with tarfile.open(tmp, "w:gz") as tar:
    for folder, dirs, files in os.walk(work):
        dirs.sort()
        for fn in sorted(files):
            path = os.path.join(folder, fn)
            if os.path.getsize(path) <= 8 * 2**20:
                tar.add(path, arcname=os.path.join("logs", os.path.relpath(path, work)))
os.replace(tmp, os.path.join(out, "logs.tar.gz"))
EOF

# ---------------------------------------------------------------------------------------------
if [ "$DRY_RUN" = 1 ]; then
  # One thread per process: OpenMP threads spin badly on a small, shared machine. Byte code goes
  # to a temporary folder, so each module is compiled once per dry run and the tree stays clean.
  export OMP_NUM_THREADS=${DRY_THREADS:-1} MKL_NUM_THREADS=${DRY_THREADS:-1}
  unset PYTHONDONTWRITEBYTECODE
  export PYTHONPYCACHEPREFIX=$DRY_DIR/pycache
  # A fresh venv like the image: torch and the project's other requirements, no python-sat.
  if [ -n "$DRY_VENV" ]; then
    VENV=$DRY_VENV
  else
    VENV=$DRY_DIR/venv
    "$HOST_PY" - "$ROOT/pyproject.toml" > "$WORK/requirements.txt" <<'EOF'
import os, re, sys, tomllib

project = tomllib.load(open(sys.argv[1], "rb"))["project"]
for req in project["dependencies"] + project["optional-dependencies"]["dev"] + ["six"]:
    name = re.split(r"[ ;<>=!~\[]", req, maxsplit=1)[0].lower()
    if name not in ("python-sat", "ruff"):
        print(os.environ.get("DRY_TORCH", "torch==2.13.0") if name == "torch" else req)
EOF
    part dry_venv 600 bash -c '"$1" -m venv "$2" && "$2/bin/python" -m pip install -q \
      --no-compile -r "$3"' _ "$HOST_PY" "$VENV" "$WORK/requirements.txt" || finish 2
  fi
  PY=$VENV/bin/python
  if [ -z "$WHEELS" ]; then
    # wheels for this venv's Python, made the way they are made for the device
    WHEELS=$DRY_DIR/whl
    LOCAL_VER=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    part prepare 300 env -u PYTHON bash benchmarks/prepare_kit.sh --python-version "$LOCAL_VER" \
      --dest "$WHEELS"
  fi
  export PATH="$VENV/bin:$PATH"   # `python3` is the venv's, as it is the image's there
else
  PY=$HOST_PY
  WHEELS=${WHEELS:-.whl}
  command -v nvidia-smi > /dev/null && nvidia-smi > "$WORK/nvidia-smi.txt" 2>&1
fi
export KIT_WHEELS=$WHEELS

part kit 60 "$PY" "$WORK/kit_check.py" "$WHEELS" "$DRY_RUN" {json} || finish 2
part install 180 "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
  --upgrade --target "$TARGET" "$WHEELS"/*.whl || finish 2
export PYTHONPATH="$TARGET${PYTHONPATH:+:$PYTHONPATH}"
export PATH="$TARGET/bin:$PATH"
NEED_CUDA=$((1 - DRY_RUN))
part env 90 "$PY" "$WORK/env_check.py" {json} "$NEED_CUDA" "$TARGET" || finish 2

if [ "$DRY_RUN" = 1 ]; then
  cpu_parts
  SKIP_REASON="needs CUDA (dry run)"   # recorded, with their commands, but not run
fi
gpu_parts
SKIP_REASON=
finish "$FAILED"
