#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One entry point for a fresh Debian 12 machine:
#   installer/setup.sh run    install what is missing, build Release, launch the GUI on the bundled
#                             default model (no display: a headless demo that writes an image)
#   installer/setup.sh test   install what is missing, build Release, run every test through CTest
#   installer/setup.sh deps | build   the individual steps
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${MT_BUILD_DIR:-$ROOT/build}"
JOBS="${MT_JOBS:-$(nproc)}"
PACKAGES=(qt6-base-dev qt6-tools-dev qt6-l10n-tools libqcustomplot-dev libtorch-dev libopenblas0-openmp
          libopencv-dev libdcmtk-dev libgdcm-dev clang catch2 cmake g++ ninja-build ccache xvfb xauth)

deps() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "setup: all ${#PACKAGES[@]} packages present"
        return
    fi
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
    cmake --build "$BUILD" -j "$JOBS"
}

default_model() {
    if [ -f "$ROOT/resources/models/default/model_index.json" ]; then
        echo "$ROOT/resources/models/default"
    else
        echo "setup: the bundled default model (resources/models/default) is not in this checkout yet;" >&2
        echo "setup: using the tiny random-weight test model instead (its images are noise)." >&2
        echo "$ROOT/tests/data/golden/tiny-sd"
    fi
}

run() {
    local model
    model="$(default_model)"
    if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
        exec "$BUILD/app/medtraverse" --model "$model" "$@"
    fi
    echo "setup: no display found; running the headless demo instead of the GUI"
    local out="$ROOT/medtraverse-demo.png"
    "$BUILD/app/medtraverse-cli" generate --model "$model" \
        --prompt "Chest X-ray showing Pleural Effusion" --seed 1500 --steps 20 --out "$out"
    echo "setup: wrote $out"
}

tests() {
    cd "$BUILD"
    ctest --output-on-failure -j "$JOBS" --timeout 1500
}

case "${1:-}" in
    deps) deps ;;
    build) deps; build ;;
    run) shift; deps; build; run "$@" ;;
    test) deps; build; tests ;;
    *) echo "usage: installer/setup.sh run|test|deps|build" >&2; exit 2 ;;
esac
