#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_firewall - MULTISERVER step 8: its two nftables rulesets, taken
# from the document, loaded with nft into network namespaces standing for
# the front host (10.0.0.1 and the public 192.0.2.1), a worker
# (10.0.0.11) and the CMS (192.0.2.10), joined by a bridge inside the
# test's own namespace.  Every host listens on the table's ports; the
# connections the table allows open, the others do not, and the front
# host's own outgoing connections (callbacks) still get their replies.
# Exits 77 without nft (Debian package nftables) or without root;
# OMKT_NFT may name another nft.
. "$(dirname "$0")/lib.sh"
NFT=${OMKT_NFT:-$(command -v nft || echo /usr/sbin/nft)}
[ -x "$NFT" ] || skip "nft is not installed (Debian package nftables): MULTISERVER's rulesets are not tested"
in_netns "$@"
. "$(dirname "$0")/../lib/common.sh"
T=$OMKT_TMP/deploy_firewall
rm -rf "$T"
mkdir -p "$T/logs"
TAG=$(printf '%04x' $(( ($$ ^ RANDOM) & 0xffff )))
fw_teardown() {
    local h
    for h in front worker cms; do ip netns del "omkt-fw$TAG-$h" 2>/dev/null; done
    omkt_teardown
}
trap fw_teardown EXIT

doc_block "$TOP/MULTISERVER" "The front host's ruleset:" > "$T/front.nft" ||
    { fail "MULTISERVER: the front host's ruleset"; exit 1; }
doc_block "$TOP/MULTISERVER" "A worker host's ruleset:" > "$T/worker.nft" ||
    { fail "MULTISERVER: a worker host's ruleset"; exit 1; }
echo "# [$SECONDS s] start"
check "nft -c accepts the front host's ruleset" "$NFT" -c -f "$T/front.nft"
check "nft -c accepts the worker's ruleset" "$NFT" -c -f "$T/worker.nft"

# The hosts: a bridge here, a veth to each namespace.
if ! ip link add br0 type bridge || ! ip link set br0 up; then
    skip "cannot create a bridge"
fi
net() { # net HOST ADDRESS...: the namespace, its eth0 on the bridge
    local h=$1 ns=omkt-fw$TAG-$1 a; shift
    if ! { ip netns add "$ns" &&
        ip link add "v$h" type veth peer name eth0 netns "$ns" &&
        ip link set "v$h" master br0 && ip link set "v$h" up &&
        ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up; }; then
        return 1
    fi
    for a in "$@"; do ip -n "$ns" addr add "$a" dev eth0 || return 1; done
}
if ! { net front 10.0.0.1/24 192.0.2.1/24 && net worker 10.0.0.11/24 &&
    net cms 192.0.2.10/24; }; then
    fail "the namespaces and their links"
    exit 1
fi
on() { local h=$1; shift; ip netns exec "omkt-fw$TAG-$h" "$@"; }

# Each host listens on every port of the table, and on apid's 8080.
LISTEN='import socket, sys, threading
def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    while True:
        s.accept()[0].close()
for p in sys.argv[1:]:
    threading.Thread(target=serve, args=(int(p),), daemon=True).start()
threading.Event().wait()'
PORTS="22 80 443 2049 3306 8080"
for h in front worker cms; do
    # shellcheck disable=SC2086 # the port list
    start "listen-$h" ip netns exec "omkt-fw$TAG-$h" python3 -c "$LISTEN" $PORTS
done
# opens FROM ADDRESS PORT - a TCP connection from FROM is accepted.
# shellcheck disable=SC2016 # expanded by that bash
opens() {
    on "$1" timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$2" "$3" 2>/dev/null
}
shut() { ! opens "$@"; }
check "before the rules: the CMS reaches the front host's 3306" wait_for 10 opens cms 192.0.2.1 3306
check "before the rules: the front host reaches the worker's 3306" wait_for 10 opens front 10.0.0.11 3306

echo "# [$SECONDS s] rules"
check "the front host's ruleset loads" on front "$NFT" -f "$T/front.nft"
check "the worker's ruleset loads" on worker "$NFT" -f "$T/worker.nft"

# The table, row by row.
check "CMS -> front 443 (nginx): open" opens cms 192.0.2.1 443
check "CMS -> front 22 (ssh): open" opens cms 192.0.2.1 22
for p in 3306 2049 8080 80; do
    check "CMS -> front $p: refused" shut cms 192.0.2.1 "$p"
done
check "worker -> front 3306 (MariaDB): open" opens worker 10.0.0.1 3306
check "worker -> front 2049 (NFS): open" opens worker 10.0.0.1 2049
check "worker -> front 8080 (apid is not for workers): refused" shut worker 10.0.0.1 8080
check "front -> its own 3306 over its address (lo): open" opens front 10.0.0.1 3306
check "front -> worker 22 (ssh): open" opens front 10.0.0.11 22
for p in 3306 2049 443 8080; do
    check "front -> worker $p: refused" shut front 10.0.0.11 "$p"
done
check "front -> CMS 443 (callbacks): replies come back" opens front 192.0.2.10 443
check "front -> CMS 80 (callbacks): replies come back" opens front 192.0.2.10 80
echo "# [$SECONDS s] done"
