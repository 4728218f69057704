#!/usr/bin/env bash
# Installs the Debian packages zhizao needs, only those missing, so it is
# cheap to call before every build. Works as root or through sudo.
#   deps.sh        what building and running need (make run)
#   deps.sh test   that, plus what the test suite needs (make test):
#                  pytest and Hypothesis (the property tests), the
#                  notebook runner, and Chromium, in which the report's
#                  HTML page is rendered headless; OpenTURNS as the
#                  sensitivity estimators' oracle; clang for the fuzzers
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libgsl-dev libhdf5-dev liblua5.4-dev librandom123-dev
  python3 python3-h5py python3-xarray python3-pandas python3-matplotlib
  python3-netcdf4 python3-h5netcdf python3-scipy
  libnlopt-dev libopenmpi-dev openmpi-bin fonts-noto-cjk
)
if [ "${1:-}" = test ]; then
  packages+=(python3-pytest python3-hypothesis python3-nbclient python3-nbconvert python3-nbformat
             python3-ipykernel chromium
             python3-sklearn python3-openturns netcdf-bin hdf5-tools
             clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
