#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# push.sh FILE PORT KEY VARDIR - used by `make run SOURCE=FILE`: push FILE
# through the running system the way a CMS would (OMKT protocol, adapter
# "local" from the import directory), ask the recommended settings for
# its type, wait, and print where the outputs are.
set -u
src=$1 port=$2 key=$3 var=$4
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib/mariadb.sh"
api="http://127.0.0.1:$port/api/?transcoder_key=$key&application=make-run&version=1"
q() { mariadb_sql "$var/mariadb" "USE omkt; $*"; }

[ -f "$src" ] || { echo "push: $src: no such file" >&2; exit 1; }
name=$(basename "$src")
cp "$src" "$var/import/$name"
id=$(( $(q "SELECT IFNULL(MAX(remote_id), 0) FROM media") + 1 ))
echo "pushing $src as media $id..."
curl -sS "$api&action=app_new_media&id=$id&adapter=local&url=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "$name")"
echo
for _ in $(seq 1 600); do
    state=$(q "SELECT state FROM media WHERE remote_id = $id AND account_id = 1")
    case $state in metadata_ok|metadata_failed|download_failed) break ;; esac
    sleep 0.5
done
echo "media $id: $state"
[ "$state" = metadata_ok ] || { q "SELECT error FROM media WHERE remote_id = $id"; exit 1; }
type=$(q "SELECT JSON_VALUE(metadata, '\$.type') FROM media WHERE remote_id = $id AND account_id = 1")
ids=$(curl -sS "$api&action=app_get_settings" | python3 -c '
import json, sys
want = sys.argv[1]
cat = json.load(sys.stdin)
ids = [k for k, s in cat.items() if str(s.get("recommend", "")) == "1"
       and (s.get("type") == want or (want == "video" and s.get("type") == "thumbnails"))]
print(",".join(sorted(ids, key=int)))' "$type")
echo "asking the recommended $type settings: [$ids]"
curl -sS "$api&action=app_request_format&id=$id&settings_id_list=%5B$ids%5D"
echo
n=$(echo "$ids" | tr ',' '\n' | grep -c .)
for _ in $(seq 1 3600); do
    fin=$(q "SELECT COUNT(*) FROM transcodes t JOIN media m ON m.id = t.media_id
             WHERE m.remote_id = $id AND m.account_id = 1
             AND t.state IN ('processed', 'error')")
    [ "$fin" -ge "$n" ] && break
    sleep 1
done
q "SELECT t.setting_id, t.state, CONCAT('$var/docroot/', IFNULL(t.path, '')),
          IFNULL(t.error, '') FROM transcodes t JOIN media m ON m.id = t.media_id
   WHERE m.remote_id = $id AND m.account_id = 1 ORDER BY t.setting_id" |
    while IFS=$'\t' read -r sid st path err; do
        printf '  setting %-4s %-9s %s %s\n' "$sid" "$st" "$path" "$err"
    done
