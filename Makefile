# Relman's two commands are `make run` and `make test`; both install what they lack first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CARGO_FEATURES := --workspace --all-features
# Xvfb gives the end-to-end tests a real X display; WebKitGTK's DMA-BUF renderer does not
# work there, and software compositing is the fast path on a machine without a GPU.
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"
export WEBKIT_DISABLE_DMABUF_RENDERER ?= 1
export WEBKIT_DISABLE_COMPOSITING_MODE ?= 1

APT_BUILD := libwebkit2gtk-4.1-dev build-essential file libxdo-dev libssl-dev \
	libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev pkg-config
# Xorg's dummy driver and xrandr give the CAB room's test two monitors (Xvfb has one output);
# Java runs MPXJ, the independent reader of the MSPDI export's test.
APT_TEST := xvfb xauth x11-utils webkit2gtk-driver imagemagick poppler-utils qpdf fonts-dejavu-core \
	postgresql postgresql-client xserver-xorg-core xserver-xorg-video-dummy x11-xserver-utils \
	default-jre-headless

.PHONY: help run test test-postgres test-dates setup-run setup-test ui ui-deps tauri-driver bindings screenshot bench bench-ui bench-edit bench-pages bench-team bench-start dist stress fmt clean

help:
	@echo "make run   build Relman and start it on its embedded default database"
	@echo "make test  fmt check, clippy, all Rust tests, UI tests, end-to-end tests under Xvfb"
	@echo "make test-postgres  the store suites and the team-database tests on a throwaway PostgreSQL"
	@echo "make test-dates  the suite without the window at each date of TEST_DATES"
	@echo "make screenshot  save PNGs of the real window in docs/"
	@echo "make bindings    regenerate ui/src/bindings from the Rust types"
	@echo "make bench       criterion benchmarks of the core"
	@echo "make bench-ui    the Gantt benchmark in WebKitGTK and Chromium"
	@echo "make bench-edit  plan edits at 1,000 to 50,000 tasks in the real window"
	@echo "make bench-pages every page with 5,000 releases, 50,000 changes, 20,000 CIs, 50,000 VMs, 100,000 tasks"
	@echo "make bench-team  the store on SQLite and on PostgreSQL side by side, and the edit on the server"
	@echo "make dist        the release build and its Debian package (target/release/bundle/deb)"
	@echo "make bench-start cold start and idle memory of the release build (after make dist)"
	@echo "make stress      the crash harness with 1,000 kills, and its counts"

# Installs only the Debian packages that are missing, so a second run costs nothing.
define apt_ensure
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

setup-run:
	$(call apt_ensure,$(APT_BUILD))
	@command -v node >/dev/null && [ "$$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || \
		{ echo "Relman's UI build needs Node.js 20 or newer with npm"; exit 1; }

setup-test: setup-run tauri-driver tests/.venv/.installed
	$(call apt_ensure,$(APT_TEST))

# An independent iCalendar parser (Python) reads the calendar feed in the ICS tests.
tests/.venv/.installed: tests/requirements.txt
	python3 -m venv tests/.venv || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv && python3 -m venv tests/.venv; }
	tests/.venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

tauri-driver:
	@command -v tauri-driver >/dev/null || cargo install --locked tauri-driver --version '^2'

ui/node_modules/.installed: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	touch $@

ui-deps: ui/node_modules/.installed

# The app embeds ui/dist at compile time, so the UI is built before any cargo build of it.
ui: ui-deps
	cd ui && npm run build

run: setup-run ui
	cargo build $(CARGO_FEATURES)
	./target/debug/relman

test: setup-test ui
	cargo fmt --all --check
	cd ui && npm run check && npm test
	cargo clippy $(CARGO_FEATURES) --all-targets -- -D warnings
	cargo build $(CARGO_FEATURES)
	$(XVFB) cargo test $(CARGO_FEATURES)
	$(MAKE) --no-print-directory test-postgres

# The PostgreSQL half. pg_virtualenv makes a throwaway cluster (as root too, where initdb
# refuses), sets PGHOST, PGPORT, PGUSER and PGPASSWORD for the command, and drops the cluster
# afterwards. With RELMAN_TEST_POSTGRES set, the store suites give every test a fresh schema
# on it, the CLI tests a fresh database; RELMAN_REQUIRE_POSTGRES makes a skip a failure.
PG_SUITES := --test after --test audit --test cab --test calendar_feed --test change_window \
	--test documents --test edits --test environments --test new_user --test planning \
	--test transfer --test cli_walk --test team_database --test team_roles --test package_types \
	--test notices --test mspdi
test-postgres: setup-test ui
	cargo build $(CARGO_FEATURES)
	$(XVFB) pg_virtualenv -t env RELMAN_TEST_POSTGRES=postgres:// RELMAN_REQUIRE_POSTGRES=1 \
		bash -c 'cargo test -p relman-core --lib && cargo test $(CARGO_FEATURES) $(PG_SUITES) \
			&& cargo test $(CARGO_FEATURES) --test team_faults --test e2e_team'

# Moments the suite must pass at (RFC 3339, UTC): a Thursday and a Friday in December; Saturday
# 23:00 in Berlin, inside the weekly windows; the 2027 DST nights of Berlin (28 Mar, 31 Oct)
# and New York (14 Mar, 7 Nov), half an hour before the clocks change; New Year's Eve 23:30
# in Berlin; a leap day.
TEST_DATES := 2026-12-03T12:00:00Z 2026-12-04T12:00:00Z 2026-12-05T22:00:00Z \
	2027-03-28T00:30:00Z 2027-10-31T00:30:00Z 2027-03-14T06:30:00Z 2027-11-07T05:30:00Z \
	2027-12-31T22:30:00Z 2028-02-29T12:00:00Z

# Every test takes its "now" from RELMAN_NOW here, and libfaketime (tests/at-date.sh, cargo's
# test runner) sets the wall clock to the same moment for anything that still reads it. The
# window's tests (the e2e feature) are left out: `make test` runs them at the fixed moment.
# The crash harness is about kills, not dates: ten per date instead of a hundred.
test-dates: setup-test ui
	$(call apt_ensure,faketime)
	cargo build --workspace
	cargo test --workspace --no-run
	@mkdir -p target; failed=""; for at in $(TEST_DATES); do \
		echo "=== the suite at $$at"; \
		RELMAN_NOW=$$at RELMAN_CRASH_KILLS=10 CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER=$(CURDIR)/tests/at-date.sh \
			cargo test --workspace -q > target/test-dates-$$at.log 2>&1 || failed="$$failed $$at"; \
		grep -E '^test result|^    [a-z_:]+$$|panicked' target/test-dates-$$at.log || true; \
	done; \
	if [ -n "$$failed" ]; then echo "failed at:$$failed (logs: target/test-dates-*.log)"; exit 1; fi; \
	echo "the suite passed at every date: $(TEST_DATES)"

screenshot: setup-test ui
	cargo build $(CARGO_FEATURES)
	$(XVFB) ./target/debug/screenshot docs

bindings:
	UPDATE_BINDINGS=1 cargo test $(CARGO_FEATURES) --test bindings --test transfer

bench:
	cargo bench -p relman-core

# The Gantt benchmark: Relman's Gantt, frappe-gantt and dhtmlx-gantt in the real window
# (WebKitGTK, both rendering modes) and in headless Chromium. Not part of `make test`.
bench-ui: setup-test ui
	$(call apt_ensure,chromium chromium-driver)
	cd ui && npm run build:bench
	cargo build $(CARGO_FEATURES)
	$(XVFB) ./target/debug/bench_ui

# Plan edits at 1,000 / 10,000 / 50,000 tasks, from the input to the frame that shows them.
bench-edit: setup-test ui
	cargo build $(CARGO_FEATURES)
	$(XVFB) ./target/debug/bench_edit

# Every page at the size of a large shop: opening, searching and scrolling, in the real window.
bench-pages: setup-test ui
	cargo build $(CARGO_FEATURES)
	$(XVFB) ./target/debug/bench_pages

# The same store operations on SQLite and on a throwaway PostgreSQL, with their ratio; then the
# window's edit round trip with its plan on that server.
bench-team: setup-test ui
	cargo build $(CARGO_FEATURES)
	pg_virtualenv -t env RELMAN_TEST_POSTGRES=postgres:// RELMAN_BENCH_SIZES=10000 \
		bash -c './target/debug/bench_team && $(XVFB) ./target/debug/bench_edit'

# Tauri's bundler (the npm CLI in ui/) builds the release binary and the .deb with the icon,
# the desktop entry and the metadata of src-tauri/tauri.conf.json. Then the package test runs.
dist: setup-run ui
	cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb
	cargo test -p relman-tests --test package

# 1,000 SIGKILLs of relman-cli during imports and writes; prints how many left damage (goal: 0).
stress: setup-run
	cargo build -p relman-cli
	RELMAN_CRASH_KILLS=1000 cargo test -p relman-tests --test crash -- --nocapture

bench-start: setup-test
	@test -x target/release/relman || { echo "run make dist first"; exit 1; }
	$(XVFB) tests/bench-start.sh

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules
