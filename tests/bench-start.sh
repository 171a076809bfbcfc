#!/usr/bin/env bash
# Cold start of the release build to the window's first request for data (the UI's script
# runs and asks for its status), and the memory of the idle window with the demo data.
# Runs under Xvfb (`make bench-start`); prints one line per run and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/relman.db"
target/release/relman-cli --db "$db" demo >/dev/null
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
times=()
for run in 1 2 3 4 5; do
  sync
  # A cold page cache where the machine allows it (root on a VM); otherwise a warm start.
  echo 3 2>/dev/null >/proc/sys/vm/drop_caches || true
  start=$(date +%s%N)
  RUST_LOG=info target/release/relman --db "$db" 2>"$work/log" &
  pid=$!
  until grep -q "window ready" "$work/log"; do sleep 0.005; done
  ready=$(date +%s%N)
  ms=$(( (ready - start) / 1000000 ))
  times+=("$ms")
  if [ "$run" = 5 ]; then
    sleep 10
    # Resident memory of the app and its WebKit processes (PSS shares the libraries fairly).
    pids=$(printf '%s\n' "$pid" $(pgrep -P "$pid") $(pgrep -f WebKit) | sort -u)
    pss=0; rss=0
    for p in $pids; do
      [ -r "/proc/$p/smaps_rollup" ] || continue
      pss=$(( pss + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup") ))
      rss=$(( rss + $(awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup") ))
    done
    echo "idle window with the demo data, 10 s after start: PSS $((pss / 1024)) MiB, RSS $((rss / 1024)) MiB (app and WebKit processes)"
    for p in $pids; do
      [ -r "/proc/$p/smaps_rollup" ] && echo "  $(cat /proc/$p/comm): PSS $(awk '/^Pss:/ {print int($2/1024)}' /proc/$p/smaps_rollup) MiB"
    done
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "run $run: ${ms} ms to the window's first request"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "median: $(echo "$sorted" | sed -n 3p) ms"
ls -l target/release/relman target/release/relman-cli | awk '{printf "%s %.1f MiB\n", $NF, $5/1048576}'
ls -l target/release/bundle/deb/*.deb 2>/dev/null | awk '{printf "%s %.1f MiB\n", $NF, $5/1048576}'
