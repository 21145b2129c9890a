#!/usr/bin/env bash
# Installs what bootgate's tests and demo need, only when missing: QEMU (x86), gcc with 32-bit
# support (the multiboot fixture), xz (the Linux fixture's kernel), headless Chromium (the
# dashboard tests), and the node modules.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-system-i386 >/dev/null || need+=(qemu-system-x86)
command -v gcc >/dev/null || need+=(gcc)
echo 'int main(void){return 0;}' | gcc -m32 -x c - -o /dev/null 2>/dev/null || need+=(gcc-multilib)
command -v xz >/dev/null || need+=(xz-utils)
command -v taskset >/dev/null || need+=(util-linux)
command -v setpriv >/dev/null || need+=(util-linux)
command -v make >/dev/null || need+=(make)
command -v cpio >/dev/null || need+=(cpio)
command -v git >/dev/null || need+=(git)
command -v chromium >/dev/null || need+=(chromium)   # the dashboard pages' browser tests
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi
# Debian package lists are needed for `apt-get download` of the Linux fixture's kernel.
if ! apt-cache show busybox-static >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
