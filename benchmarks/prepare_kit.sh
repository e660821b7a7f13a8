#!/usr/bin/env bash
# Prepare the device kit HERE, before a call of the device tool: the wheels that the H200 image
# lacks (python-sat, and any of its requirements the image lacks) for that image's Python, plus
# this project's own wheel, all in one folder (default .whl/, ignored by git, so it travels only
# when the call names it in `carry`). benchmarks/gpu.sh installs them there, offline.
#
#   bash benchmarks/prepare_kit.sh                          # cp312 wheels into .whl/
#   bash benchmarks/prepare_kit.sh --python-version 3.11 --dest /tmp/kit   # e.g. for a dry run
#
# Options: --python-version X.Y (default 3.12, the image's), --dest DIR (default .whl),
# --pysat-version V (default: the python-sat installed for $PYTHON, else the newest available).
# $PYTHON (default .venv/bin/python, else python3) runs pip. See benchmarks/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PYVER=3.12
DEST=.whl
PYSAT_VERSION=
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --python-version) PYVER=$2; shift 2 ;;
    --python-version=*) PYVER=${1#*=}; shift ;;
    --dest) DEST=$2; shift 2 ;;
    --dest=*) DEST=${1#*=}; shift ;;
    --pysat-version) PYSAT_VERSION=$2; shift 2 ;;
    --pysat-version=*) PYSAT_VERSION=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "prepare_kit: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ ! $PYVER =~ ^3\.[0-9]+$ ]]; then
  echo "prepare_kit: --python-version wants X.Y, got $PYVER" >&2; exit 2
fi
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
TAG=cp${PYVER/./}
# manylinux tags pip accepts for the wheels (it matches each N exactly); x86-64 only: the
# device machine is x86-64. Override with $KIT_PLATFORMS (space-separated) if nothing matches.
PLATFORMS=${KIT_PLATFORMS:-manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_24_x86_64
  manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64}
# What the image already has (KINDS.md's package list of the 'cuda' image, 2026-11-17), by
# normalised name: a requirement of python-sat outside this list is fetched as well
# ($KIT_IMAGE_HAS replaces the list).
IMAGE_HAS=${KIT_IMAGE_HAS:-"absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc anyio
attrs botorch build certifi charset-normalizer chex click cloudpickle cmake colorama contourpy
coverage cuda-bindings cuda-core cuda-pathfinder cuda-toolkit cupy-cuda13x cycler cython diffrax
e3nn einops equinox etils execnet filelock flatbuffers flax fonttools formulaic frozenlist fsspec
gpytorch grpcio h11 h5py hf-xet httpcore httpx huggingface-hub humanize hypothesis idna imageio
iniconfig interface-meta jax jaxlib jaxtyping jinja2 joblib kiwisolver lazy-loader lightning
lightning-utilities linear-operator lineax llvmlite lxml markdown markdown-it-py markupsafe
matplotlib mdurl meson ml-dtypes mpi4py mpmath msgpack multidict multipledispatch
mypy-extensions nanobind narwhals networkx ninja numba numba-cuda numpy numpyro nvidia-ml-py onnx
onnxruntime opencv-python-headless optax opt-einsum packaging pandas pathspec patsy peft pillow
pip pluggy portalocker prometheus-client propcache protobuf psutil pyarrow pybind11 py-cpuinfo
pygments pyparsing pyproject-hooks pytest pytest-benchmark pytest-cov pytest-mock pytest-timeout
pytest-xdist python-dateutil pytorch-lightning pyyaml regex requests rich safetensors
scikit-build-core scikit-image scikit-learn scipy seaborn sentencepiece setuptools shellingham
simplejson six sortedcontainers statsmodels sympy tabulate tensorboard tensorstore threadpoolctl
tifffile tiktoken timm tokenizers toolz torch torchaudio torchvision tqdm transformers triton
typer typing-extensions typing-inspect urllib3 werkzeug wheel wrapt xarray xxhash yarl zipp"}

say() { printf 'prepare_kit: %s\n' "$*" >&2; }
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
export KIT_DEST=$DEST KIT_TAG=$TAG KIT_PYVER=$PYVER

# pip download of one requirement as a cpXY manylinux x86-64 wheel (or a pure-Python one).
fetch() {
  local plat=() p
  for p in $PLATFORMS; do plat+=(--platform "$p"); done
  "$PYTHON" -m pip download -q --no-deps --only-binary=:all: --python-version "$PYVER" \
    --implementation cp "${plat[@]}" -d "$DEST" "$@"
}

# Keep one version of each package: two wheels of one package stop the whole install there.
rm -f "$DEST"/python_sat-*.whl "$DEST"/boolicl-*.whl "$DEST"/kit.json

# 1. python-sat, pinned to the version used here
if [ -z "$PYSAT_VERSION" ]; then
  PYSAT_VERSION=$("$PYTHON" -c \
    "import importlib.metadata as m; print(m.version('python-sat'))" 2>/dev/null || true)
fi
PYSAT_HOW=
if [ -n "$PYSAT_VERSION" ] && fetch "python-sat==$PYSAT_VERSION"; then
  PYSAT_HOW="downloaded python-sat==$PYSAT_VERSION"
else
  [ -n "$PYSAT_VERSION" ] && say "no $TAG wheel of python-sat==$PYSAT_VERSION; trying any version"
  if fetch --pre "python-sat>=1.9.dev1"; then
    PYSAT_HOW="downloaded the newest python-sat available (pinned ${PYSAT_VERSION:-none} missing)"
  elif [ "$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$PYVER" ]; then
    # Offline and the same Python: repack the installed distribution into a wheel.
    say "no python-sat wheel could be downloaded; repacking the one installed for $PYTHON"
    "$PYTHON" - <<'EOF'
import base64, hashlib, importlib.metadata as md, os, zipfile
dist = md.distribution("python-sat")
base = dist.locate_file("")
tags = [line.split(":", 1)[1].strip() for line in dist.read_text("WHEEL").splitlines()
        if line.startswith("Tag:")]
py, abi, _ = tags[0].split("-")
plats = ".".join(t.split("-")[2] for t in tags if t.startswith(f"{py}-{abi}-"))
name = f"python_sat-{dist.version}-{py}-{abi}-{plats}.whl"
info = next(str(f).split("/")[0] for f in dist.files if str(f).endswith(".dist-info/METADATA"))
skip = {f"{info}/{x}" for x in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")}
record = []
with zipfile.ZipFile(os.path.join(os.environ["KIT_DEST"], name), "w", zipfile.ZIP_DEFLATED) as z:
    for f in dist.files:
        rel = str(f)
        if rel.startswith("..") or "__pycache__" in rel or rel in skip:
            continue
        data = (base / rel).read_bytes()
        z.writestr(rel, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{rel},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
print(name)
EOF
    PYSAT_HOW="repacked the installed python-sat (no download possible)"
  else
    say "FAILED: no python-sat wheel for $TAG: pip could not download one (no network and no"
    say "local copy?), and $PYTHON is not Python $PYVER, so the installed one cannot be repacked."
    exit 3
  fi
fi
say "$PYSAT_HOW"

# 2. python-sat's own requirements (not extras) that the image lacks
NEEDS=$("$PYTHON" - "$IMAGE_HAS" <<'EOF'
import glob, os, re, sys, zipfile
have = set(sys.argv[1].split())
wheel = glob.glob(os.path.join(os.environ["KIT_DEST"], "python_sat-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
for line in meta.splitlines():
    if line.startswith("Requires-Dist:") and "extra ==" not in line:
        req = line.split(":", 1)[1].strip()
        name = re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0]
        if re.sub(r"[-_.]+", "-", name).lower() not in have:
            print(req.split(";")[0].strip())
EOF
)
for req in $NEEDS; do
  say "python-sat needs $req, which the image lacks: fetching it"
  rm -f "$DEST/$(echo "${req%%[<>=!~ ]*}" | tr '-' '_')"-*.whl
  fetch "$req"
done

# 3. this project's wheel, built offline from a clean copy of the sources (no stale build/)
SRC=$(mktemp -d "${TMPDIR:-/tmp}/boolicl-kit-src.XXXXXX")
trap 'rm -rf "$SRC"' EXIT
cp pyproject.toml README.md "$SRC"/
for pkg in boolfun teaching learners models boolicl; do cp -r "$pkg" "$SRC"/; done
find "$SRC" -name __pycache__ -prune -exec rm -rf {} +
if ! "$PYTHON" -m pip wheel -q --no-deps --no-build-isolation --no-index "$SRC" -w "$DEST" \
    > "$SRC/wheel.log" 2>&1; then
  say "offline build failed (setuptools missing for $PYTHON?): $(tail -1 "$SRC/wheel.log")"
  say "retrying with build isolation"
  "$PYTHON" -m pip wheel -q --no-deps "$SRC" -w "$DEST"
fi

# 4. a manifest, and what to do next
"$PYTHON" - "$PYSAT_HOW" <<'EOF'
import glob, hashlib, json, os, sys, time
dest = os.environ["KIT_DEST"]
wheels = sorted(glob.glob(os.path.join(dest, "*.whl")))
kit = {
    "prepared": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "python_version": os.environ["KIT_PYVER"],
    "python_tag": os.environ["KIT_TAG"],
    "python_sat": sys.argv[1],
    "wheels": [
        {"file": os.path.basename(w), "bytes": os.path.getsize(w),
         "sha256": hashlib.sha256(open(w, "rb").read()).hexdigest()}
        for w in wheels
    ],
}
with open(os.path.join(dest, "kit.json"), "w") as f:
    json.dump(kit, f, indent=2)
total = sum(w["bytes"] for w in kit["wheels"])
print(f"kit in {dest} for Python {kit['python_version']} ({kit['python_tag']}):")
for w in kit["wheels"]:
    print(f"  {w['file']}  {w['bytes'] / 2**20:.1f} MiB")
print(f"  total {total / 2**20:.1f} MiB (all carried paths and the tree: 64 MiB at most)")
EOF

REL=${DEST#"$ROOT"/}
if [ "$REL" = "$DEST" ]; then
  echo "note: $DEST is outside the repository, so it cannot be carried; that is fine for a"
  echo "dry run: WHEELS=$DEST bash benchmarks/gpu.sh --dry-run"
else
  CMD="bash benchmarks/gpu.sh"
  if [ "$REL" != .whl ]; then
    CMD="WHEELS=$REL bash benchmarks/gpu.sh"
    echo "note: $REL travels only if git ignores it, as it does .whl/, and carry names it"
  fi
  [ "$PYVER" != 3.12 ] && echo "note: these wheels are for Python $PYVER; the H200 image has 3.12"
  echo "next, the device call (the script stops itself within about 8 minutes):"
  echo "  run(command=\"$CMD\", carry=[\"$REL\"], timeout_s=540)"
  echo "results come back as gpu.json, gpu.md and logs.tar.gz (see benchmarks/README.md)"
fi
