#!/usr/bin/env bash
# The package check (issue 25, SPEC §9): the .deb installs into a clean Debian 12 root that has
# no Swift toolchain (debootstrap --variant=minbase), both executables run there, the unit
# verifies, the daemon starts as its user and an operator runs a plan (scripts/first_start.sh,
# pointed at the installed files: it runs them from the host, as the user the package made in
# the root, since the root has no systemd running), `dpkg -r` keeps the journal, a reinstall
# finds it and the unit enabled again, and `dpkg --purge` deletes it.
# Usage: check_deb.sh DEB (BIN: the build whose bcc-sim serves the first start; default the
# release build).
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=${1:?usage: check_deb.sh DEB}
export BIN=${BIN:-$(swift build -c release --static-swift-stdlib --show-bin-path)}
ROOT=$(mktemp -d /tmp/rebootd-deb.XXXXXX)
cleanup() {
  scripts/first_start.sh --cleanup "$ROOT" 2>/dev/null || true
  for m in proc; do mountpoint -q "$ROOT/$m" && { umount "$ROOT/$m" || umount -l "$ROOT/$m" || true; }; done
  mountpoint -q "$ROOT/proc" || rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT
pass=0 fail=0
check() { if eval "$2"; then echo "ok   $1"; pass=$((pass+1)); else echo "FAIL $1"; fail=$((fail+1)); fi; }
in_root() { chroot "$ROOT" "$@"; }

# The mirror the host uses, so CI reaches the same registry.
MIRROR=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
debootstrap --variant=minbase bookworm "$ROOT" "${MIRROR:-http://deb.debian.org/debian}" > "$ROOT.debootstrap.log" 2>&1 \
  || { tail -5 "$ROOT.debootstrap.log"; echo "FAIL debootstrap"; exit 1; }
rm -f "$ROOT.debootstrap.log"
mount -t proc proc "$ROOT/proc"
check "a clean Debian 12 root without Swift" '! in_root sh -c "command -v swift || command -v swiftc" >/dev/null && [ ! -e "$ROOT/opt/swift" ] && grep -q "^12" "$ROOT/etc/debian_version"'
cp "$DEB" "$ROOT/tmp/rebootd.deb"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/rebootd.deb > "$ROOT/tmp/apt.log" 2>&1 \
  || { tail -20 "$ROOT/tmp/apt.log"; echo "FAIL apt-get install the package"; exit 1; }
check "installs with its dependencies (apt-get install ./rebootd.deb)" 'in_root dpkg -s rebootd | grep -q "^Status: install ok installed"'
check "rebootctl --version, rebootd --version, bcc-sim --version run" 'v=$(in_root rebootctl --version) && [ "$(in_root rebootd --version)" = "$v" ] && [ "$(in_root bcc-sim --version)" = "$v" ] && echo "$v" | grep -Eq "^[0-9]+\.[0-9]+\.[0-9]+$"'
check "the service user and groups exist" 'in_root getent passwd rebootd >/dev/null && in_root getent group rebootd-submit >/dev/null'
check "the spool and state directories exist" '[ -d "$ROOT/var/spool/rebootd/incoming" ] && [ -d "$ROOT/var/lib/rebootd" ]'
check "the unit is enabled, not started (no credentials yet)" '[ -L "$ROOT/etc/systemd/system/multi-user.target.wants/rebootd.service" ]'
verify=$(in_root systemd-analyze verify /usr/lib/systemd/system/rebootd.service 2>&1) && verify_rc=0 || verify_rc=$?
check "systemd-analyze verify accepts the unit" '[ $verify_rc = 0 ] || { echo "$verify"; false; }'
check "man pages and completions" '[ -f "$ROOT/usr/share/man/man1/rebootctl.1.gz" ] && [ -s "$ROOT/usr/share/bash-completion/completions/rebootctl" ]'
install -m 0600 /dev/null "$ROOT/etc/rebootd/credentials.yaml"
printf 'accessKeyId: sim-access-key-id\nsecretAccessKey: sim-secret-access-key\n' > "$ROOT/etc/rebootd/credentials.yaml"
check "rebootd --check accepts the installed config once credentials exist" 'in_root rebootd --check --config /etc/rebootd/rebootd.yaml >/dev/null 2>&1'
first=$(PREFIX_DIR=usr scripts/first_start.sh "$ROOT" 2>&1) && first_rc=0 || first_rc=$?
echo "$first"
check "first start: the installed rebootd runs a plan as its user; an operator submits, watches and reads history" '[ "$first_rc" = 0 ]'
umount "$ROOT/proc"
in_root dpkg -r rebootd > /dev/null 2>&1
check "dpkg -r removes the binaries and keeps the config and the journal" '[ ! -e "$ROOT/usr/bin/rebootd" ] && [ -f "$ROOT/etc/rebootd/rebootd.yaml" ] && [ -f "$ROOT/var/lib/rebootd/journal.sqlite" ]'
# A reinstall after a remove: the unit the remove masked is enabled again, and the plan journaled
# before is still there.
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/rebootd.deb > "$ROOT/tmp/apt.log" 2>&1 || true
check "a reinstall after a remove unmasks and enables the unit, and finds the journal" '[ ! -L "$ROOT/etc/systemd/system/rebootd.service" ] && [ -L "$ROOT/etc/systemd/system/multi-user.target.wants/rebootd.service" ] && [ -f "$ROOT/var/lib/rebootd/journal.sqlite" ] && [ -x "$ROOT/usr/bin/rebootd" ]'
in_root dpkg --purge rebootd > /dev/null 2>&1
check "dpkg --purge deletes the config, the journal and the spool" '[ ! -e "$ROOT/etc/rebootd" ] && [ ! -e "$ROOT/var/lib/rebootd" ] && [ ! -e "$ROOT/var/spool/rebootd" ]'
echo "package: $(basename "$DEB"), $(du -k "$DEB" | cut -f1) KiB; $pass passed, $fail failed"
[ "$fail" = 0 ]
