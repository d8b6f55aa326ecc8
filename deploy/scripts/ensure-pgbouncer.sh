#!/bin/sh
# Makes sure a `pgbouncer` binary is there for `make pytest-pgbouncer`: Debian's package
# (apt-get, as root or through passwordless sudo) or Homebrew's; otherwise explains.
set -eu
if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
	exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo"
	else
		echo "pgbouncer is missing: run 'sudo apt-get install pgbouncer'" >&2
		exit 1
	fi
	echo "Installing Debian's pgbouncer package"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null
	exit 0
fi
if command -v brew >/dev/null 2>&1; then
	brew install pgbouncer
	exit 0
fi
echo "pgbouncer is missing: install it with your package manager" >&2
exit 1
