#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bridge_stub - a stand-in cloud worker for tests/cloud/test_bridge.sh:
takes one job message from SQS, reads the staged source from S3, makes
the outputs with the real engine (tests/media_cli), puts them in S3 and
sends a result, like a cloud worker.  Modes bend it for the tests:
  ok      one result, then the job message deleted
  dup     the same result sent twice (a redelivered job done twice)
  stale   a result with a wrong token first, then the right one
  hold    take the job and answer only when the file $HOLD disappears
  poison  take the job with a 1 s lease, again and again, never
          answering (SQS moves it to the dead-letter queue)
Every request is signed (SigV4) with AWS_ACCESS_KEY_ID/SECRET.
usage: bridge_stub.py SQS_EP S3_EP JOBS RESULTS MEDIA_CLI WORK MODE
Prints the job message's JSON on stdout."""
import datetime
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'servers'))
import fake_ec2  # noqa: E402  (its SigV4 functions)

KEY = os.environ['AWS_ACCESS_KEY_ID']
SECRET = os.environ['AWS_SECRET_ACCESS_KEY']
REGION = os.environ.get('AWS_REGION', 'us-east-1')


def signed(method, url, body, service, extra):
    """urlopen of a SigV4-signed request; the response body."""
    u = urllib.parse.urlsplit(url)
    now = datetime.datetime.utcnow()
    amz, day = now.strftime('%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%d')
    phash = hashlib.sha256(body).hexdigest()
    hdrs = dict(extra, host=u.netloc, **{'x-amz-date': amz,
                                         'x-amz-content-sha256': phash})
    names = sorted(hdrs)
    creq = fake_ec2.canonical_request(method, u.path, u.query,
                                      list(hdrs.items()), names, phash,
                                      normalize=(service != 's3'))
    scope = '%s/%s/%s/aws4_request' % (day, REGION, service)
    sig = fake_ec2.signature(SECRET, amz, scope, creq)
    hdrs['Authorization'] = (
        'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s'
        % (KEY, scope, ';'.join(names), sig))
    req = urllib.request.Request(url, data=body if method != 'GET' else None,
                                 method=method, headers=hdrs)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def sqs(ep, action, args):
    out = signed('POST', ep + '/', json.dumps(args).encode(), 'sqs',
                 {'content-type': 'application/x-amz-json-1.0',
                  'x-amz-target': 'AmazonSQS.' + action})
    return json.loads(out) if out.strip() else {}


def s3_url(ep, uri):
    assert uri.startswith('s3://')
    return ep + '/' + urllib.parse.quote(uri[5:], safe='/')


def receive(ep, url, args=None, wait_s=120):
    deadline = time.time() + wait_s
    while time.time() < deadline:
        r = sqs(ep, 'ReceiveMessage', dict({'QueueUrl': url,
                                            'MaxNumberOfMessages': 1,
                                            'WaitTimeSeconds': 2},
                                           **(args or {})))
        if r.get('Messages'):
            return r['Messages'][0]
    return None


def poison(ep, url):
    """Fail the job like a crashing worker: receive it with a 1 s lease,
    again and again, until SQS moves it to the dead-letter queue."""
    quiet = 0
    while quiet < 3:
        m = receive(ep, url, {'VisibilityTimeout': 1}, wait_s=3)
        quiet = 0 if m else quiet + 1


def make(s3ep, job, cli, work):
    """The outputs of @job, put under its out_prefix: the result's list."""
    src = os.path.join(work, 'source')
    with open(src, 'wb') as f:
        f.write(signed('GET', s3_url(s3ep, job['source']), b'', 's3', {}))
    outdir = os.path.join(work, 'out')
    files = subprocess.run([cli, 'transcode', src, outdir] +
                           [str(s) for s in job['settings']],
                           check=True, capture_output=True,
                           text=True).stdout.split()
    outs = []
    for sid, path in zip(job['settings'], files):
        name = os.path.basename(path)
        uri = job['out_prefix'] + name
        with open(path, 'rb') as f:
            signed('PUT', s3_url(s3ep, uri), f.read(), 's3', {})
        meta = json.loads(subprocess.run([cli, 'probe', path], check=True,
                                         capture_output=True,
                                         text=True).stdout)
        outs.append({'setting_id': sid, 'status': 0, 'files': [uri],
                     'names': [name], 'metadata': meta})
    return outs


def result(job, token, outs):
    return json.dumps({'v': 1, 'job_id': job['job_id'], 'token': token,
                       'receive_count': 1, 'worker': 'stub', 'code': 0,
                       'retryable': False, 'dead': False, 'outputs': outs})


def main():
    sqs_ep, s3ep, jobs, results, cli, work, mode = sys.argv[1:8]
    jurl = sqs(sqs_ep, 'GetQueueUrl', {'QueueName': jobs})['QueueUrl']
    rurl = sqs(sqs_ep, 'GetQueueUrl', {'QueueName': results})['QueueUrl']
    m = receive(sqs_ep, jurl, {'VisibilityTimeout': 1} if mode == 'poison'
                else None)
    if m is None:
        sys.exit('bridge_stub: no job message came')
    job = json.loads(m['Body'])
    print(m['Body'], flush=True)
    if mode == 'poison':
        return poison(sqs_ep, jurl)
    while mode == 'hold' and os.path.exists(os.environ['HOLD']):
        time.sleep(0.2)
    outs = make(s3ep, job, cli, work)
    if mode == 'stale':
        sqs(sqs_ep, 'SendMessage', {'QueueUrl': rurl, 'MessageBody':
                                    result(job, 'f' * 32, outs)})
    for _ in range(2 if mode == 'dup' else 1):
        sqs(sqs_ep, 'SendMessage', {'QueueUrl': rurl, 'MessageBody':
                                    result(job, job['token'], outs)})
    sqs(sqs_ep, 'DeleteMessage', {'QueueUrl': jurl,
                                  'ReceiptHandle': m['ReceiptHandle']})


if __name__ == '__main__':
    main()
