#!/usr/bin/env bash
# Runs the whole peerpress test suite on a fresh Debian machine: installs what
# the tests need (Chromium, feedparser, xmllint, the npm test tools), then runs
# every Go test — unit, golden, integration, end-to-end and browser tests.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v xmllint >/dev/null || need+=(libxml2-utils)
/usr/bin/python3 -c 'import feedparser' 2>/dev/null || need+=(python3-feedparser)
command -v git >/dev/null || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

browser=cmd/peerpress/testdata/browser
if [ ! -d "$browser/node_modules" ] || [ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ]; then
  echo "test.sh: installing npm test tools"
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
fi

go mod download
go vet ./...
# The browser, validator and feed-reader tests skip when their tools are
# missing; here the tools are installed, so a skip is a failure.
export PEERPRESS_REQUIRE_TOOLS=1
go test -count=1 ./... "$@"
