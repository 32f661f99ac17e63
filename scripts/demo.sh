#!/usr/bin/env bash
# Sets up a fresh machine, builds stacksift and analyses each bundled incident in samples/:
# one Markdown report per scenario in reports/, a short summary of each on the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product stacksift
bin=.build/release/stacksift
mkdir -p reports
status=0
for dir in samples/*/; do
  name=$(basename "$dir")
  "$bin" analyze "$dir" --timezone UTC --output "reports/$name.md" || status=$?
  echo "== $name → reports/$name.md"
  "$bin" analyze "$dir" --timezone UTC --format text || status=$?
  echo
done
exit $status
