#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ensure-deps.sh - install, through apt, whatever the build, the tests and
# `make run` need and this machine lacks.  Does nothing when all is there.
set -eu
PKGS="build-essential pkg-config libmariadb-dev mariadb-server mariadb-client
libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev
libswresample-dev libavutil-dev libmicrohttpd-dev libjansson-dev
libcurl4-openssl-dev libzip-dev libssl-dev ffmpeg curl iproute2 procps
python3 psmisc chromium shellcheck systemd clang-format wrk
clang libclang-rt-14-dev nginx nftables"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "ensure-deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-deps: not root; run: apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Never let the package's own MariaDB service start: tests run private ones.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
