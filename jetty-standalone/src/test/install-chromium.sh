#!/bin/sh
# ConsoleBrowserTest needs Debian's chromium (driven by playwright-core with executablePath).
# Run by exec-maven-plugin before the tests: does nothing when /usr/bin/chromium exists, else installs
# the package with apt (as root, or through sudo when there is one). Fails the build when it cannot.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "install-chromium.sh: /usr/bin/chromium is missing and this user cannot apt-get install it" >&2
    exit 1
  fi
fi
echo "install-chromium.sh: installing Debian's chromium package" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
test -x /usr/bin/chromium
