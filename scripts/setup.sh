#!/usr/bin/env bash
# Installs what bootgate's tests and demo need, only when missing: QEMU (x86, arm/aarch64, riscv),
# gcc with 32-bit support (the multiboot fixture), the Debian cross compilers of the non-x86 Embox
# machines (the arch fixtures, and Embox templates of those ARCHes), xz (the Linux fixture's
# kernel), headless Chromium (the dashboard tests), and the node modules. With a bootgate config
# (BOOTGATE_CONFIG or ./bootgate.yml), also what its Embox subjects' templates need (see
# docs/action.md, "Packages per architecture").
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-system-i386 >/dev/null || need+=(qemu-system-x86)
command -v gcc >/dev/null || need+=(gcc)
# -m32 (the multiboot fixture): the versioned multilib package of the default gcc, since Debian's
# gcc-multilib metapackage conflicts with the aarch64 cross compiler installed below
if command -v gcc >/dev/null; then
  echo 'int main(void){return 0;}' | gcc -m32 -x c - -o /dev/null 2>/dev/null || need+=("gcc-$(gcc -dumpversion | cut -d. -f1)-multilib")
else
  need+=("$(apt-cache depends gcc 2>/dev/null | sed -n 's/^ *Depends: \(gcc-[0-9]*\)$/\1/p' | head -1)-multilib")
fi
command -v xz >/dev/null || need+=(xz-utils)
command -v taskset >/dev/null || need+=(util-linux)
command -v setpriv >/dev/null || need+=(util-linux)
command -v make >/dev/null || need+=(make)
command -v cpio >/dev/null || need+=(cpio)
command -v git >/dev/null || need+=(git)
command -v ccache >/dev/null || need+=(ccache)   # Embox builds: the head reuses the base's objects
command -v chromium >/dev/null || need+=(chromium)   # the dashboard pages' browser tests
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm)
command -v qemu-system-riscv64 >/dev/null || need+=(qemu-system-misc)
command -v arm-none-eabi-gcc >/dev/null || need+=(gcc-arm-none-eabi)
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
command -v riscv64-unknown-elf-gcc >/dev/null || need+=(gcc-riscv64-unknown-elf)
# Embox subjects of a config: the packages of their templates' ARCH (bootgate's architecture table)
config="${BOOTGATE_CONFIG:-bootgate.yml}"
if [ -f "$config" ] && [ -f dist/cli.js ]; then
  for pkg in $(node dist/cli.js packages --config "$config" 2>/dev/null); do
    # the versioned multilib package, as above (the metapackage conflicts with the aarch64 cross gcc)
    if [ "$pkg" = gcc-multilib ] && command -v gcc >/dev/null; then pkg="gcc-$(gcc -dumpversion | cut -d. -f1)-multilib"; fi
    need+=("$pkg")
  done
fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u | grep .) || true
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
