#!/usr/bin/env bash
# Runs the whole CarePhone test suite: unit tests, the RFC 4475 torture tests against the
# running server, and the interoperability tests with real SIPp and baresip on loopback.
# Installs the Debian packages the tests need when they are missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v sipp >/dev/null 2>&1 || packages+=(sip-tester)
command -v baresip >/dev/null 2>&1 || packages+=(baresip)
command -v sqlite3 >/dev/null 2>&1 || packages+=(sqlite3)
command -v bearerbox >/dev/null 2>&1 || packages+=(kannel)
[ -x /usr/lib/kannel/test/fakesmsc ] || packages+=(kannel-extras)
command -v radicale >/dev/null 2>&1 || packages+=(radicale)
command -v htpasswd >/dev/null 2>&1 || packages+=(apache2-utils)
[ -f /usr/include/sqlite3.h ] || packages+=(libsqlite3-dev)
command -v pkg-config >/dev/null 2>&1 || packages+=(pkg-config)
if [ ${#packages[@]} -gt 0 ]; then
    echo "Installing test dependencies: ${packages[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# The interop tests start the real server binary, so build it first.
swift build
swift build --build-tests
swift test --skip-build "$@"
