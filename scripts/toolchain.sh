#!/usr/bin/env bash
# Installs the Debian packages attrkit builds with, when any is missing. As root it runs apt-get;
# otherwise it prints the one command to run and fails.
set -euo pipefail

# command-or-file to look for : Debian package that provides it
need=(
  "cmake:cmake"
  "g++:g++"
  "em++:emscripten"
  "/usr/include/nlohmann/json.hpp:nlohmann-json3-dev"
  "/usr/include/httplib.h:libcpp-httplib-dev"
  "/usr/include/sqlite3.h:libsqlite3-dev"
  "/usr/include/gtest/gtest.h:googletest"
  "/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/libgtest.a:libgtest-dev"
  "chromium:chromium"
  "brotli:brotli"
)
missing=()
for entry in "${need[@]}"; do
  probe=${entry%%:*}; pkg=${entry##*:}
  if [[ $probe == /* ]]; then [[ -e $probe ]] && continue
  else command -v "$probe" >/dev/null 2>&1 && continue; fi
  [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
cmd="apt-get update && apt-get install -y ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "attrkit: missing packages. Run as root:  $cmd" >&2
  exit 1
fi
echo "attrkit: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
