#!/usr/bin/env bash
# Cargo's test runner for `make test-dates`: runs a test binary with the machine's clock set to
# RELMAN_NOW by libfaketime (it runs on from there), so whatever still reads the wall clock
# sees the moment everything else was told. Monotonic time stays real: timeouts still work.
set -euo pipefail
: "${RELMAN_NOW:?set RELMAN_NOW to an RFC 3339 moment}"
exec faketime -m --exclude-monotonic "$RELMAN_NOW" "$@"
