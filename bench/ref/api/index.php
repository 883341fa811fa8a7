<?php
// SPDX-License-Identifier: GPL-2.0-or-later
//
// bench/ref/api/index.php - the reference system's request path, re-created
// for bench/api so that its numbers are measured side by side with apid's.
// The reference (the PHP OpenMediaKit Transcoder) ran one front controller
// behind nginx + php-fpm: every request includes the config, opens a mysqli
// connection, dispatches on `action`, looks the account up by its
// transcoder_key, records the call in the call log and answers.  This file
// does the same for the calls bench/api measures:
//   app_get_settings       the catalogue, from a PHP array (../settings.php)
//   app_get_media_status   authenticated; the media row, its transcodes and
//                          jobs, as apid's GET /v1/media/ID (also served at
//                          that path with X-API-Key, for comparison)
//   app_get_media          authenticated; the transcoded file, honouring a
//                          Range header, read and echoed in 8 KiB chunks
//   bench_opcache          public; whether this pool runs with opcache on
// Not a second implementation: no other action, no rate limit, no zip.
// ../config.php (written by bench/api) sets $CONF.

require __DIR__ . '/../config.php';

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);

function send_json($data, $status = 200)
{
    http_response_code($status);
    header('Content-Type: application/json');
    header('Cache-Control: no-store');
    echo json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

// OMKT errors: {"result":{"code":N,"message":"..."}}, HTTP N when N > 100.
function omkt_error($code, $message)
{
    send_json(['result' => ['code' => $code, 'message' => $message]],
              $code > 100 ? $code : 200);
    return $code;
}

function param($name)
{
    return isset($_REQUEST[$name]) ? trim((string)$_REQUEST[$name]) : '';
}

// The account of $key, or null: one SELECT per call, as the reference did.
function account_by_key($db, $key)
{
    $st = $db->prepare('SELECT id, enabled FROM accounts WHERE api_key = ?');
    $st->bind_param('s', $key);
    $st->execute();
    $row = $st->get_result()->fetch_assoc();
    $st->close();
    return $row;
}

// The call log: one INSERT per call.
function log_call($db, $account_id, $action, $code)
{
    $app = param('application');
    $ver = param('version');
    $addr = $_SERVER['REMOTE_ADDR'] ?? '';
    $st = $db->prepare('INSERT INTO api_calls (account_id, action,'
                       . ' application, version, code, remote_addr)'
                       . ' VALUES (?, ?, ?, ?, ?, ?)');
    $st->bind_param('isssis', $account_id, $action, $app, $ver, $code, $addr);
    $st->execute();
    $st->close();
}

// 501/502/503 as the protocol says; the account row when the call may go on.
// $is_rest: the key came in X-API-Key, without application and version.
function auth($db, $key, $is_rest, &$code)
{
    if ($key === '' || (!$is_rest && (param('application') === ''
                                       || param('version') === ''))) {
        $code = omkt_error(501, 'transcoder_key, application and version are mandatory');
        return null;
    }
    $acc = account_by_key($db, $key);
    if ($acc === null) {
        $code = omkt_error(502, 'unknown transcoder_key');
        return null;
    }
    if (!$acc['enabled']) {
        $code = omkt_error(503, 'this account is disabled');
        return null;
    }
    return $acc;
}

function settings_list($text)
{
    $out = [];
    foreach (explode(',', (string)$text) as $s) {
        if (preg_match('/^\s*-?\d+/', $s, $m))
            $out[] = (int)$m[0];
    }
    return $out;
}

// The media and its children, shaped like apid's GET /v1/media/ID.
function media_status($db, $account_id, $id)
{
    $st = $db->prepare('SELECT id, state, url, created, error, metadata,'
                       . ' want_settings, notify_url, idempotency_key, priority'
                       . ' FROM media WHERE id = ? AND account_id = ?');
    $st->bind_param('ii', $id, $account_id);
    $st->execute();
    $m = $st->get_result()->fetch_assoc();
    $st->close();
    if ($m === null)
        return null;
    $st = $db->prepare("SELECT 't' AS kind, setting_id AS id, state,"
                       . " '' AS jstate, progress, cardinality, error"
                       . " FROM transcodes WHERE media_id = ? UNION ALL"
                       . " SELECT 'j', id, task, state, progress, 0, error"
                       . " FROM jobs WHERE media_id = ? AND task <> 'notify'"
                       . " ORDER BY 1 DESC, 2");
    $st->bind_param('ii', $id, $id);
    $st->execute();
    $rows = $st->get_result()->fetch_all(MYSQLI_ASSOC);
    $st->close();

    $base = 'http://' . ($_SERVER['HTTP_HOST'] ?? 'localhost');
    $transcodes = $jobs = [];
    $sum = $n = 0;
    $active = $failed = $cancelled = false;
    foreach ($rows as $r) {
        if ($r['kind'] === 't') {
            $done = $r['state'] === 'processed';
            $p = $done ? 100 : (int)$r['progress'];
            $transcodes[] = [
                'setting_id' => (int)$r['id'], 'state' => $r['state'],
                'progress' => $p, 'cardinality' => (int)$r['cardinality'],
                'error' => $r['error'], 'download_url' => $done
                    ? "$base/v1/media/{$m['id']}/transcodes/{$r['id']}/file"
                    : null];
            $sum += $p;
            $n++;
        } else {
            $js = $r['jstate'];
            $active = $active || in_array($js, ['queued', 'delayed', 'running'], true);
            $failed = $failed || $js === 'failed';
            $cancelled = $cancelled || $js === 'cancelled';
            $jobs[] = ['id' => (int)$r['id'], 'task' => $r['state'],
                       'state' => $js, 'progress' => (int)$r['progress'],
                       'error' => $r['error']];
        }
    }
    if ($active)
        $status = 'processing';
    elseif ($failed || strpos($m['state'], 'failed') !== false)
        $status = 'failed';
    elseif ($cancelled)
        $status = 'cancelled';
    else
        $status = 'done';
    return ['id' => (int)$m['id'], 'status' => $status, 'state' => $m['state'],
            'url' => $m['url'], 'progress' => $n ? intdiv($sum, $n) : 0,
            'created' => $m['created'],
            'settings' => settings_list($m['want_settings']),
            'callback_url' => $m['notify_url'],
            'idempotency_key' => $m['idempotency_key'],
            'priority' => (int)$m['priority'], 'error' => $m['error'],
            'metadata' => $m['metadata'] === null ? null
                                                  : json_decode($m['metadata']),
            'transcodes' => $transcodes, 'jobs' => $jobs];
}

// The file of (media, setting) from the (optional) Range header: the status.
function send_media($db, $account_id, $remote_id, $setting_id)
{
    global $CONF;
    $st = $db->prepare('SELECT t.path, t.metadata FROM media m JOIN transcodes t'
                       . ' ON t.media_id = m.id WHERE m.account_id = ? AND'
                       . " m.remote_id = ? AND t.setting_id = ? AND t.state = 'processed'");
    $st->bind_param('iii', $account_id, $remote_id, $setting_id);
    $st->execute();
    $t = $st->get_result()->fetch_assoc();
    $st->close();
    $file = $t ? $CONF['docroot'] . '/' . $t['path'] : '';
    if ($t === null || !is_file($file))
        return omkt_error(404, 'media or transcode not found');
    $meta = json_decode((string)$t['metadata'], true);
    $size = filesize($file);
    $start = 0;
    $end = $size - 1;
    $status = 200;
    $range = $_SERVER['HTTP_RANGE'] ?? '';
    if ($range !== '') {
        if (!preg_match('/^bytes=(\d*)-(\d*)$/', $range, $r)
            || ($r[1] === '' && $r[2] === ''))
            return omkt_error(416, 'range not satisfiable');
        if ($r[1] === '') {
            $start = max(0, $size - (int)$r[2]);
        } else {
            $start = (int)$r[1];
            if ($r[2] !== '')
                $end = min($end, (int)$r[2]);
        }
        if ($start > $end || $start >= $size) {
            header("Content-Range: bytes */$size");
            return omkt_error(416, 'range not satisfiable');
        }
        $status = 206;
    }
    $fp = fopen($file, 'rb');
    http_response_code($status);
    header('Content-Type: ' . ($meta['mime'] ?? 'application/octet-stream'));
    header('Accept-Ranges: bytes');
    header('Content-Length: ' . ($end - $start + 1));
    if ($status === 206)
        header("Content-Range: bytes $start-$end/$size");
    fseek($fp, $start);
    for ($left = $end - $start + 1; $left > 0 && !feof($fp); $left -= strlen($buf)) {
        $buf = fread($fp, min(8192, $left));
        echo $buf;
    }
    fclose($fp);
    return $status;
}

try {
    $db = new mysqli(null, $CONF['db_user'], $CONF['db_password'],
                     $CONF['db_name'], 0, $CONF['db_socket']);
    $db->set_charset('utf8mb4');
} catch (mysqli_sql_exception $e) {
    http_response_code(503);
    exit;
}

$action = param('action');
$key = param('transcoder_key');
$id = (int)param('id');
$is_rest = false;
if (preg_match('#^/v1/media/(\d+)$#', strtok($_SERVER['REQUEST_URI'], '?'), $m)) {
    $action = 'app_get_media_status'; // the REST spelling of the same call
    $key = $_SERVER['HTTP_X_API_KEY'] ?? '';
    $id = (int)$m[1];
    $is_rest = true;
}

$code = 200;
$acc = null;
switch ($action) {
case 'app_get_settings':
    send_json(require __DIR__ . '/../settings.php');
    exit; // public: not in the call log (as apid)
case 'app_get_media_status':
    if (($acc = auth($db, $key, $is_rest, $code)) === null)
        break;
    $o = media_status($db, $acc['id'], $id);
    if ($o === null)
        $code = omkt_error(404, 'no such media');
    else
        send_json($o);
    break;
case 'app_get_media':
    if (($acc = auth($db, $key, $is_rest, $code)) === null)
        break;
    $code = send_media($db, $acc['id'], $id, (int)param('settings_id'));
    break;
case 'bench_opcache':
    $st = function_exists('opcache_get_status') ? opcache_get_status(false) : false;
    send_json(['opcache' => $st !== false && $st['opcache_enabled']]);
    exit;
default:
    $code = omkt_error(404, $action === '' ? 'missing action' : 'unknown action');
}
log_call($db, $acc ? $acc['id'] : null, $action === '' ? 'unknown' : $action, $code);
