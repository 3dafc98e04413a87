#!/usr/bin/env bash
# Regenerates test/fixtures/simgrid/<name>.ref.json (SimGrid's finish time per flow, seconds) for every
# scenario test/fixtures/simgrid/<name>.json, with SimGrid's reference tool. Needs SimGrid's Python
# bindings (Debian: apt-get install -y python3-simgrid). CI does not run this: the test reads the
# committed references. Tool path: $SIMGRID_FLOWS, else ../shared/tools/simgrid_flows.py beside the repo.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tool="${SIMGRID_FLOWS:-$root/../shared/tools/simgrid_flows.py}"
python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import simgrid' 2>/dev/null; then
  echo "simgrid-refs: SimGrid's Python bindings are missing (apt-get install -y python3-simgrid)" >&2
  exit 1
fi
for scenario in "$root"/test/fixtures/simgrid/*.json; do
  case "$scenario" in *.ref.json) continue ;; esac
  ref="${scenario%.json}.ref.json"
  # sorted keys, one flow per line: stable diffs when SimGrid or a scenario changes
  "$python" "$tool" < "$scenario" 2>/dev/null \
    | "$python" -c 'import json,sys; d=json.load(sys.stdin); print("{\n" + ",\n".join("  %s: %r" % (json.dumps(k), v) for k, v in sorted(d.items())) + "\n}")' \
    > "$ref.tmp"
  mv "$ref.tmp" "$ref"
  echo "wrote $ref"
done
