#!/usr/bin/env bash
# Debian tools the tests compare against (b3sum for vigil's manifests, coreutils' sha256sum)
# or run (redis-server for tandem's Redis backend; openssl makes its TLS test certificates),
# and librust-blake3-dev: the official BLAKE3 C sources (in the crate's c/ folder), which
# vigil's native addon compiles in when present (packages/vigil/binding.gyp); setfattr (attr),
# setfacl (acl) and setcap (libcap2-bin), with which vigil's tests set the extended attributes,
# POSIX ACLs and file capabilities a check must see; libzstd-dev, whose zstd the addon links
# for repository format 2's compression (packages/vigil/scripts/zstd-available.mjs).
# openssh-server: the sshd that vigil's SFTP repository tests start on a loopback port.
# Installed only when missing; needs root (CI and the dev machines run as root).
set -euo pipefail
missing=()
command -v b3sum >/dev/null || missing+=(b3sum)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v openssl >/dev/null || missing+=(openssl)
command -v setfattr >/dev/null || missing+=(attr)
command -v setfacl >/dev/null || missing+=(acl)
command -v setcap >/dev/null || missing+=(libcap2-bin)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
compgen -G '/usr/share/cargo/registry/blake3-*/c/blake3.c' >/dev/null || missing+=(librust-blake3-dev)
[ -f /usr/include/zstd.h ] || missing+=(libzstd-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: missing ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
