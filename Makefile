# rebootd — build, test, demo, bench. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
VENV := .build/interop-venv
# What the build and `make demo` need; the tests' real components come on top (bootstrap-test).
BUILD_PACKAGES := ca-certificates libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev curl
TEST_PACKAGES := python3-venv python3-seccomp systemd faketime prometheus openssl tinyproxy chromium debootstrap postgresql-15
SDK_VERSION := 0.9.79

# Release binaries (install, bench) carry the Swift runtime and Foundation inside them: a host
# needs only Debian's libraries (no Swift toolchain at the build's path), and rebootd maps about
# 2 MiB less code (measured for issue 10).
RELEASE := -c release --static-swift-stdlib

# Every direct dependency is pinned with exact: in Package.swift. Package.resolved is not
# committed: a package mirror's commit ids differ from upstream's, so a resolved file made on one
# machine breaks the build on another.
.PHONY: all bootstrap bootstrap-test resolve build release release-build lint format test test-release deb check-deb interop alerts demo bench fuzz install uninstall clean

# The debug build's products: `make test` builds them once and runs everything on them.
DEBUG_BIN = $$($(SWIFT) build --show-bin-path)
RELEASE_BIN = $$($(SWIFT) build $(RELEASE) --show-bin-path)

all: build

## bootstrap: install the system packages the build and the demo need, when missing.
## bootstrap-test: those and the real components the tests start (Prometheus, chromium, tinyproxy,
## libfaketime, debootstrap, PostgreSQL 15 for the PostgreSQL journal, …). Neither is needed to
## install a build tree or the package.
bootstrap: APT_PACKAGES = $(BUILD_PACKAGES)
bootstrap-test: APT_PACKAGES = $(BUILD_PACKAGES) $(TEST_PACKAGES)
bootstrap bootstrap-test:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "rebootd needs these Debian packages:$$missing"; \
	    echo "run as root: apt-get update && apt-get install -y$$missing  (or: sudo make $@)"; exit 1; \
	  fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift is not on PATH: install Swift 6.3 (https://swift.org/install)"; exit 1; }

## resolve: the exact versions Package.swift names (and what they need), from this machine's
## package sources.
resolve:
	$(SWIFT) package resolve

build: bootstrap resolve
	$(SWIFT) build

release: bootstrap resolve
	$(SWIFT) build $(RELEASE)

## release-build: the release build alone, installing no package (make install uses it).
release-build:
	$(SWIFT) build $(RELEASE)

## lint: `swift format` (from the toolchain) with the committed .swift-format, strict: a file
## that `make format` would change fails. The debug build also treats every warning of our own
## targets as an error (Package.swift), so `make test` fails on a new warning.
## format: rewrites the sources as the linter wants them.
FORMATTED := Sources Tests Benchmarks Fuzz Package.swift
lint:
	$(SWIFT) format lint --strict --recursive $(FORMATTED)

format:
	$(SWIFT) format --in-place --recursive $(FORMATTED)

## test: one debug build, then everything on it: unit and end-to-end tests (real binaries over
## loopback; in parallel, the timing-tight ones after in a serial group), the Python SDK interop
## check, the hardening check under an emulated systemd sandbox, the alert rules, and the install
## layout with systemd-analyze verify. Every real component is installed by bootstrap, so a
## missing one fails the tests (REBOOTD_REQUIRE_TOOLS=1) instead of skipping them.
test: bootstrap-test resolve lint
	$(SWIFT) build --build-tests
	REBOOTD_REQUIRE_TOOLS=1 SWIFT=$(SWIFT) scripts/run_tests.sh
	$(MAKE) interop BIN="$(DEBUG_BIN)"
	/usr/bin/python3 scripts/hardening_check.py "$(DEBUG_BIN)"
	$(MAKE) alerts
	scripts/check_install.sh "$(DEBUG_BIN)"

## test-release: the release build (static Swift runtime) and the install check on its binaries,
## as `make install` ships them. `.ci/run` runs it after `make test`.
test-release: bootstrap-test resolve release
	scripts/check_install.sh "$(RELEASE_BIN)"

## deb: the Debian package, .build/rebootd_VERSION_amd64.deb, from the release build (or BIN_DIR):
## what `make install PREFIX=/usr` lays out (bcc-sim included) and the maintainer scripts in packaging/debian.
## The version is written once, in Sources/BCC/RebootdVersion.swift (`--version` prints it).
DEB_VERSION := $(shell sed -n 's/.*static let string = "\(.*\)"/\1/p' Sources/BCC/RebootdVersion.swift)
DEB := .build/rebootd_$(DEB_VERSION)_amd64.deb
deb: $(if $(BIN_DIR),,release)
	rm -rf .build/deb && mkdir -p .build/deb/root/DEBIAN
	bin="$(BIN_DIR)"; [ -n "$$bin" ] || bin="$(RELEASE_BIN)"; \
	  $(MAKE) -s install BIN_DIR="$$bin" DESTDIR="$(CURDIR)/.build/deb/root" PREFIX=/usr >/dev/null
	strip --strip-unneeded .build/deb/root/usr/bin/rebootd .build/deb/root/usr/bin/rebootctl .build/deb/root/usr/bin/bcc-sim
	gzip -9n .build/deb/root/usr/share/man/man1/*.1
	install -m 0644 packaging/debian/conffiles .build/deb/root/DEBIAN/conffiles
	install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm .build/deb/root/DEBIAN/
	sed -e 's/@VERSION@/$(DEB_VERSION)/' -e "s/@SIZE@/$$(du -sk .build/deb/root/usr .build/deb/root/etc | awk '{s+=$$1} END {print s}')/" \
	  packaging/debian/control.in > .build/deb/root/DEBIAN/control
	dpkg-deb --root-owner-group -Zxz --build .build/deb/root $(DEB)
	@echo "built $(DEB): $$(du -k $(DEB) | cut -f1) KiB"

## check-deb: the package installs into a clean Debian 12 root without Swift (debootstrap),
## runs, verifies its unit, starts as its user, and removes and purges as SPEC §9 says.
check-deb: bootstrap-test deb
	scripts/check_deb.sh $(DEB)

## alerts: the operator guide's Prometheus alert rules are valid and fire for what they mean
## (promtool from Debian's prometheus package); the metrics file itself is checked in check_install.
alerts:
	promtool check rules config/alerts/rebootd.rules.yml
	cd config/alerts && promtool test rules rebootd.rules.test.yml

$(VENV)/.installed-$(SDK_VERSION):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check bce-python-sdk==$(SDK_VERSION)
	touch $@

## interop: Baidu's Python SDK against bcc-sim (BIN= a build's products; default: a debug build).
interop: $(VENV)/.installed-$(SDK_VERSION)
	@if [ -z "$(BIN)" ]; then $(SWIFT) build --product bcc-sim; fi
	$(VENV)/bin/python scripts/interop.py "$(or $(BIN),$(DEBUG_BIN))/bcc-sim"

## demo: a full rolling reboot of a simulated fleet, with live progress.
demo: bootstrap
	$(SWIFT) build
	BIN="$$($(SWIFT) build --show-bin-path)" scripts/demo.sh

## bench: release binaries against bcc-sim: the rated case (its journal on SQLite, then on a
## throwaway PostgreSQL 15: pg) beside Baidu's Python SDK in a script, the instant and
## 100,000-instance cases, a restart of the last, and the tick (CASES=..., RUNS=...).
bench: bootstrap-test $(VENV)/.installed-$(SDK_VERSION)
	$(SWIFT) build $(RELEASE)
	BIN="$$($(SWIFT) build $(RELEASE) --show-bin-path)" SDK_PYTHON=$(VENV)/bin/python scripts/bench.sh $(CASES)

## fuzz: libFuzzer over plan loading for FUZZ_SECONDS (default 300); crashers go to the regression corpus.
FUZZ_SECONDS ?= 300
FUZZ_BUILD := .build/fuzz
fuzz: bootstrap
	$(SWIFT) build -c release --build-path $(FUZZ_BUILD) --product PlanFuzzer \
	  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh "$$($(SWIFT) build -c release --build-path $(FUZZ_BUILD) --show-bin-path)/PlanFuzzer"

BINDIR := $(DESTDIR)$(PREFIX)/bin
UNITDIR := $(DESTDIR)$(PREFIX)/lib/systemd/system
SYSUSERSDIR := $(DESTDIR)$(PREFIX)/lib/sysusers.d
TMPFILESDIR := $(DESTDIR)$(PREFIX)/lib/tmpfiles.d
DOCDIR := $(DESTDIR)$(PREFIX)/share/doc/rebootd
CONFDIR := $(DESTDIR)/etc/rebootd
MANDIR := $(DESTDIR)$(PREFIX)/share/man/man1
BASHCOMPDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR := $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

## install: release binaries (rebootd, rebootctl, and bcc-sim for rehearsals), systemd unit, sysusers and tmpfiles entries, config (kept if present), docs.
## BIN_DIR=DIR installs the binaries of a build already made (the tests' install check) instead.
## It never installs a package (no bootstrap): a host without the build's packages uses BIN_DIR or the .deb.
BIN_DIR ?=
install: $(if $(BIN_DIR),,release-build)
	install -d $(BINDIR) $(UNITDIR) $(SYSUSERSDIR) $(TMPFILESDIR) $(DOCDIR)
	install -d -m 0755 $(CONFDIR)
	bin="$(BIN_DIR)"; [ -n "$$bin" ] || bin="$(RELEASE_BIN)"; \
	  for t in rebootd rebootctl bcc-sim; do install -m 0755 "$$bin/$$t" $(BINDIR)/$$t || exit 1; done
	sed 's|/usr/local/bin/rebootd|$(PREFIX)/bin/rebootd|; s|/usr/local/share/doc|$(PREFIX)/share/doc|' \
	  systemd/rebootd.service > $(UNITDIR)/rebootd.service
	chmod 0644 $(UNITDIR)/rebootd.service
	install -m 0644 systemd/rebootd.sysusers $(SYSUSERSDIR)/rebootd.conf
	install -m 0644 systemd/rebootd.tmpfiles $(TMPFILESDIR)/rebootd.conf
	install -m 0644 docs/operations.md $(DOCDIR)/operations.md
	install -m 0644 docs/contract.md $(DOCDIR)/contract.md
	install -m 0644 config/alerts/rebootd.rules.yml $(DOCDIR)/rebootd.rules.yml
	[ -e $(CONFDIR)/rebootd.yaml ] || install -m 0644 config/rebootd.yaml $(CONFDIR)/rebootd.yaml
	@# Earlier installs made the config root-only (0640), which the service user cannot read.
	chmod 0644 $(CONFDIR)/rebootd.yaml
	install -m 0600 config/credentials.example.yaml $(CONFDIR)/credentials.yaml.example
	@# Man pages from the executables' own help (ArgumentParser's generate-manual), and shell
	@# completions they print themselves: always what this build's options are.
	install -d $(MANDIR) $(BASHCOMPDIR) $(ZSHCOMPDIR) $(FISHCOMPDIR)
	bin="$(BIN_DIR)"; [ -n "$$bin" ] || bin="$(RELEASE_BIN)"; \
	  $(SWIFT) build --product generate-manual >/dev/null && gen="$$($(SWIFT) build --show-bin-path)/generate-manual" && \
	  for t in rebootd rebootctl bcc-sim; do \
	    "$$gen" "$$bin/$$t" --date "$$(date -u -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s) +%Y-%m-%d)" -o $(MANDIR) && chmod 0644 $(MANDIR)/$$t.1 && \
	    "$$bin/$$t" --generate-completion-script bash > $(BASHCOMPDIR)/$$t && \
	    "$$bin/$$t" --generate-completion-script zsh > $(ZSHCOMPDIR)/_$$t && \
	    "$$bin/$$t" --generate-completion-script fish > $(FISHCOMPDIR)/$$t.fish || exit 1; \
	  done
	@echo "installed under $(DESTDIR)$(PREFIX); next: systemd-sysusers, systemd-tmpfiles --create, edit /etc/rebootd, systemctl enable --now rebootd"

## uninstall: removes what install put there (keeps /etc/rebootd/rebootd.yaml and the journal).
uninstall:
	rm -f $(BINDIR)/rebootd $(BINDIR)/rebootctl $(BINDIR)/bcc-sim $(UNITDIR)/rebootd.service $(SYSUSERSDIR)/rebootd.conf \
	  $(TMPFILESDIR)/rebootd.conf $(DOCDIR)/operations.md $(DOCDIR)/contract.md $(DOCDIR)/rebootd.rules.yml \
	  $(CONFDIR)/credentials.yaml.example
	for t in rebootd rebootctl bcc-sim; do rm -f $(MANDIR)/$$t.1 $(BASHCOMPDIR)/$$t $(ZSHCOMPDIR)/_$$t $(FISHCOMPDIR)/$$t.fish; done
	-rmdir $(DOCDIR) 2>/dev/null

clean:
	rm -rf .build
