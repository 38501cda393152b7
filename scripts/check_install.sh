#!/usr/bin/env bash
# Checks `make install DESTDIR=...` lays out the expected tree, that the first start works as
# the unit runs it (scripts/first_start.sh), that `systemd-analyze verify` accepts the installed
# unit and `systemd-analyze security` rates it 2.0 or lower, and that `make uninstall` removes
# it. Prints 'N passed, N failed'.
# Usage: check_install.sh BIN_DIR: installs the rebootd and rebootctl of that build (make test
# passes its debug build, make test-release the release build), so the check builds nothing.
set -uo pipefail
BIN_DIR=${1:?usage: check_install.sh BIN_DIR, the folder of a build whose products to install}
[ -x "$BIN_DIR/rebootd" ] && [ -x "$BIN_DIR/rebootctl" ] && [ -x "$BIN_DIR/bcc-sim" ] \
  || { echo "check_install.sh: $BIN_DIR has no rebootd, rebootctl and bcc-sim: build first"; exit 2; }
export BIN=$BIN_DIR
DEST=$(mktemp -d /tmp/rebootd-install.XXXXXX)
trap 'scripts/first_start.sh --cleanup "$DEST" 2>/dev/null; rm -rf "$DEST"' EXIT
pass=0 fail=0
check() { if eval "$2"; then echo "ok   $1"; pass=$((pass+1)); else echo "FAIL $1"; fail=$((fail+1)); fi; }
mode() { stat -c %a "$1" 2>/dev/null; }

make -s install BIN_DIR="$BIN_DIR" DESTDIR="$DEST" PREFIX=/usr/local >/dev/null || { echo "FAIL make install"; echo "0 passed, 1 failed"; exit 1; }
P="$DEST/usr/local"
check "binaries installed, executable" '[ -x "$P/bin/rebootd" ] && [ -x "$P/bin/rebootctl" ]'
check "unit installed" '[ -f "$P/lib/systemd/system/rebootd.service" ]'
check "sysusers entry" 'grep -q "^u rebootd" "$P/lib/sysusers.d/rebootd.conf" && grep -q "^g rebootd-submit" "$P/lib/sysusers.d/rebootd.conf"'
check "tmpfiles entry: spool root not group-writable" 'grep -Eq "^d /var/spool/rebootd +0750 rebootd rebootd-submit" "$P/lib/tmpfiles.d/rebootd.conf"'
check "tmpfiles entry: incoming/ and control/ setgid and sticky" 'grep -Eq "^d /var/spool/rebootd/incoming +3770 rebootd rebootd-submit" "$P/lib/tmpfiles.d/rebootd.conf" && grep -Eq "^d /var/spool/rebootd/control +3770 rebootd rebootd-submit" "$P/lib/tmpfiles.d/rebootd.conf"'
check "tmpfiles entry: accepted/ and rejected/ 2750" 'grep -Eq "^d /var/spool/rebootd/accepted +2750 rebootd rebootd-submit" "$P/lib/tmpfiles.d/rebootd.conf" && grep -Eq "^d /var/spool/rebootd/rejected +2750 rebootd rebootd-submit" "$P/lib/tmpfiles.d/rebootd.conf"'
check "config installed 0644 in a 0755 /etc/rebootd (it holds no secret)" '[ "$(mode "$DEST/etc/rebootd/rebootd.yaml")" = 644 ] && [ "$(mode "$DEST/etc/rebootd")" = 755 ]'
check "tmpfiles entry: /etc/rebootd 0755" 'grep -Eq "^d /etc/rebootd +0755 root +root" "$P/lib/tmpfiles.d/rebootd.conf"'
check "example credentials mode 0600" '[ "$(mode "$DEST/etc/rebootd/credentials.yaml.example")" = 600 ]'
check "operator guide and contract installed" '[ -f "$P/share/doc/rebootd/operations.md" ] && grep -q "^## 7. Commands" "$P/share/doc/rebootd/contract.md"'
check "bcc-sim installed for rehearsals, with its man page" '"$P/bin/bcc-sim" --version >/dev/null && [ -s "$P/share/man/man1/bcc-sim.1" ]'
check "installed rebootctl runs" '"$P/bin/rebootctl" --help >/dev/null'
check "man pages installed, naming every rebootctl command" 'grep -q "events" "$P/share/man/man1/rebootctl.1" && [ -s "$P/share/man/man1/rebootd.1" ]'
check "shell completions installed" 'grep -q "rebootctl" "$P/share/bash-completion/completions/rebootctl" && [ -s "$P/share/zsh/vendor-completions/_rebootctl" ] && [ -s "$P/share/fish/vendor_completions.d/rebootd.fish" ]'
check "--version prints the version" '"$P/bin/rebootctl" --version | grep -Eq "^[0-9]+\.[0-9]+\.[0-9]+$" && "$P/bin/rebootd" --version | grep -Eq "^[0-9]+\.[0-9]+\.[0-9]+$"'
check "installed config is valid for rebootctl" '"$P/bin/rebootctl" validate --config "$DEST/etc/rebootd/rebootd.yaml" config/plans/example.yaml >/dev/null'

echo "# keep me" >> "$DEST/etc/rebootd/rebootd.yaml"
chmod 0640 "$DEST/etc/rebootd/rebootd.yaml"   # as an earlier install left it
make -s install BIN_DIR="$BIN_DIR" DESTDIR="$DEST" PREFIX=/usr/local >/dev/null
check "an existing config is not overwritten" 'grep -q "# keep me" "$DEST/etc/rebootd/rebootd.yaml"'
check "an existing root-only config is made readable (0644) on upgrade" '[ "$(mode "$DEST/etc/rebootd/rebootd.yaml")" = 644 ]'

# systemd-analyze verify on the installed unit, its ExecStart pointed at the installed binary
# (verify checks that the command exists). Any output (an unknown key, a bad value) fails.
mkdir -p "$DEST/verify"
sed "s|/usr/local/bin/rebootd|$P/bin/rebootd|" "$P/lib/systemd/system/rebootd.service" > "$DEST/verify/rebootd.service"
verify_out=$(systemd-analyze verify "$DEST/verify/rebootd.service" 2>&1)
verify_rc=$?
check "systemd-analyze verify passes, silently" '[ $verify_rc = 0 ] && [ -z "$verify_out" ] || { echo "$verify_out"; false; }'
exposure=$(systemd-analyze security --offline=yes "$DEST/verify/rebootd.service" 2>/dev/null | sed -n 's/.*Overall exposure level for rebootd.service: \([0-9.]*\).*/\1/p')
echo "     systemd-analyze security: ${exposure:-?}"
check "systemd-analyze security rates the unit 2.0 or lower" '[ -n "$exposure" ] && awk -v e="$exposure" "BEGIN { exit !(e <= 2.0) }"'

# The first start, as the unit's ExecStart= would run it (SPEC §9).
scripts/first_start.sh "$DEST" | while IFS= read -r line; do echo "$line"; done
first_rc=${PIPESTATUS[0]}
check "first start: the service user runs a plan; an operator submits, watches and reads history" '[ "$first_rc" = 0 ]'

make -s uninstall DESTDIR="$DEST" PREFIX=/usr/local >/dev/null
check "uninstall removes binaries and unit" '[ ! -e "$P/bin/rebootd" ] && [ ! -e "$P/bin/bcc-sim" ] && [ ! -e "$P/lib/systemd/system/rebootd.service" ] && [ ! -e "$P/lib/sysusers.d/rebootd.conf" ]'
check "uninstall removes man pages and completions" '[ ! -e "$P/share/man/man1/rebootctl.1" ] && [ ! -e "$P/share/bash-completion/completions/rebootctl" ]'
check "uninstall keeps the config" '[ -f "$DEST/etc/rebootd/rebootd.yaml" ]'
echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
