#!/usr/bin/env bash
# Make llama.cpp's `llama-server` available for the real-LLM tests.
#
# Usage:  bash tests/llm/build_llama_server.sh
#   - prints the absolute path of the llama-server binary on the LAST line of stdout;
#     everything else (progress, compiler output) goes to stderr.
#   - idempotent: if "$CACHE/bin/llama-server --version" works, it just prints the path.
#
# Environment:
#   ARXIV_DIGEST_LLAMA_CACHE  cache dir (default: $HOME/.cache/arxiv-digest/llama)
#   ARXIV_DIGEST_LLAMA_JOBS   parallel build jobs (default: 2)
#
# Source: llama.cpp as vendored in the PyPI sdist of llama-cpp-python (PyPI is the only
# reachable source of llama.cpp here). Build: ~600 CPU-seconds, 7-8 min wall on a busy 2-core machine, peak RSS ~0.6 GB.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION="0.3.36"
CACHE="${ARXIV_DIGEST_LLAMA_CACHE:-$HOME/.cache/arxiv-digest/llama}"
JOBS="${ARXIV_DIGEST_LLAMA_JOBS:-2}"
BIN="$CACHE/bin/llama-server"

log() { printf '[build_llama_server] %s\n' "$*" >&2; }

if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
    echo "$BIN"
    exit 0
fi

# Serialise concurrent invocations (e.g. two test sessions): the second waits for the
# first build and then reuses its binary instead of building again.
mkdir -p "$CACHE/bin" "$CACHE/src"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.build.lock"
    if ! flock -n 9; then
        log "another build holds $CACHE/.build.lock; waiting for it"
        flock 9
    fi
    if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
        echo "$BIN"
        exit 0
    fi
fi

# --- toolchain -------------------------------------------------------------
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || command -v c++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
if ((${#missing[@]})); then
    log "installing missing tools: ${missing[*]}"
    if [[ "$(id -u)" != "0" ]]; then
        log "ERROR: need root to apt-get install ${missing[*]}"
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"

# --- source ----------------------------------------------------------------
SDIST="$CACHE/src/llama_cpp_python-${LLAMA_CPP_PYTHON_VERSION}.tar.gz"
if [[ ! -s "$SDIST" ]]; then
    log "downloading llama-cpp-python==${LLAMA_CPP_PYTHON_VERSION} sdist (~76 MB) from PyPI"
    tmpdl="$(mktemp -d "$CACHE/src/dl.XXXXXX")"
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: \
        "llama-cpp-python==${LLAMA_CPP_PYTHON_VERSION}" -d "$tmpdl" >&2
    mv "$tmpdl"/llama_cpp_python-*.tar.gz "$SDIST"
    rm -rf "$tmpdl"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/llama-build.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

log "unpacking vendored llama.cpp"
tar -xzf "$SDIST" -C "$WORK" --wildcards '*/vendor/llama.cpp/*'
SRC="$(echo "$WORK"/llama_cpp_python-*/vendor/llama.cpp)"
[[ -f "$SRC/CMakeLists.txt" ]] || { log "ERROR: no vendor/llama.cpp in $SDIST"; exit 1; }

# --- configure -------------------------------------------------------------
# GGML_NATIVE=OFF: a -march=native build uses AMX on these CPUs and segfaults on the
#   first decode; the portable build selects SIMD paths at run time.
# LLAMA_USE_PREBUILT_UI=OFF / LLAMA_BUILD_UI=OFF: otherwise the build downloads the
#   web UI from Hugging Face (no network here); the server then has no web UI, the API works.
# LLAMA_CURL is deprecated in this llama.cpp (only warns when ON); kept OFF for older trees.
log "configuring (cmake)"
cmake -S "$SRC" -B "$WORK/build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF \
    -DGGML_NATIVE=OFF \
    -DLLAMA_OPENSSL=OFF \
    -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_UI=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF \
    -DLLAMA_BUILD_COMMON=ON \
    -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_SERVER=ON \
    -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_ALL_WARNINGS=OFF \
    >&2

# --- build -----------------------------------------------------------------
log "building llama-server with -j$JOBS (5-8 minutes on 2 cores; ~600 CPU-seconds)"
start=$(date +%s)
cmake --build "$WORK/build" --config Release --target llama-server -j "$JOBS" >&2
log "build took $(( $(date +%s) - start )) s"

built="$WORK/build/bin/llama-server"
[[ -x "$built" ]] || built="$(find "$WORK/build" -type f -name llama-server -perm -u+x | head -n1)"
[[ -n "$built" && -x "$built" ]] || { log "ERROR: llama-server not produced"; exit 1; }

strip "$built" 2>/dev/null || true
install -m 0755 "$built" "$BIN.tmp.$$"
mv -f "$BIN.tmp.$$" "$BIN"
"$BIN" --version >&2 || { log "ERROR: built binary does not run"; exit 1; }
log "installed $BIN ($(du -h "$BIN" | cut -f1))"
echo "$BIN"
