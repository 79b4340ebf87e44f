#!/usr/bin/env bash
# Run the long hardening checks (fuzzing at full size, the kill -9 loop, the full load test)
# and print what they measured. Usage: scripts/hardening.sh [extra pytest arguments]
#   HARDENING_EXAMPLES          hostile messages to fuzz (default 10000)
#   HARDENING_ARTICLE_EXAMPLES  random article files to ingest (default 2000)
#   PYTHON                      interpreter with the project installed (default: python)
set -euo pipefail

cd "$(dirname "$0")/.."
python="${PYTHON:-python}"
figures="$(mktemp -t hardening-figures.XXXXXX.json)"
trap 'rm -f "$figures"' EXIT

started=$(date +%s)
status=0
HARDENING_FIGURES="$figures" "$python" -m pytest -m slow tests/hardening -q -p no:cacheprovider "$@" \
    || status=$?
elapsed=$(( $(date +%s) - started ))

echo
echo "== hardening figures (${elapsed} s, pytest exit ${status}) =="
"$python" - "$figures" <<'PY'
import json
import sys
from pathlib import Path

text = Path(sys.argv[1]).read_text() if Path(sys.argv[1]).stat().st_size else "{}"
found = json.loads(text)
fuzz = found.get("fuzz_messages_slow")
articles = found.get("fuzz_articles_slow")
crash = found.get("crash_slow") or {}
load = found.get("load_slow") or {}
print(f"hostile messages fuzzed:    {fuzz if fuzz is not None else 'not run'}")
print(f"random articles ingested:   {articles if articles is not None else 'not run'}")
print(
    f"kill -9 survived:           {crash.get('kills', 'not run')} "
    f"({crash.get('acknowledged', 0)} acknowledged articles all present; rounds {crash.get('rounds', {})})"
)
print(
    f"load replies:               {load.get('replies', 'not run')} of {load.get('questions', '?')} "
    f"questions from {load.get('chats', '?')} chats, {load.get('admin_adds', 0)} admin adds, "
    f"{load.get('seconds', '?')} s"
)
PY
exit "$status"
