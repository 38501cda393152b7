# rebootd — build, test, demo, bench. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
VENV := .build/interop-venv
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libssl-dev python3-venv systemd
SDK_VERSION := 0.9.79

.PHONY: all bootstrap build release test unit-test interop demo bench clean

all: build

## bootstrap: install the system packages the build and the tests need, when missing.
bootstrap:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "rebootd needs these Debian packages:$$missing"; \
	    echo "run as root: apt-get update && apt-get install -y$$missing  (or: sudo make bootstrap)"; exit 1; \
	  fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift is not on PATH: install Swift 6.3 (https://swift.org/install)"; exit 1; }

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release

## test: unit, end-to-end (real binaries over loopback) and the Python SDK interop check.
test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) interop

$(VENV)/.installed-$(SDK_VERSION):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check bce-python-sdk==$(SDK_VERSION)
	touch $@

interop: $(VENV)/.installed-$(SDK_VERSION)
	$(SWIFT) build --product bcc-sim
	$(VENV)/bin/python scripts/interop.py "$$($(SWIFT) build --show-bin-path)/bcc-sim"

## demo: a full rolling reboot of a simulated fleet, with live progress.
demo: bootstrap
	$(SWIFT) build
	BIN="$$($(SWIFT) build --show-bin-path)" scripts/demo.sh

clean:
	rm -rf .build
