// SPDX-License-Identifier: GPL-2.0-or-later
// players.js - play a streaming package in Debian's headless Chromium
// (test_players.sh): serves its own page and the npm players (hls.js,
// dashjs) from a tiny HTTP server on another origin than apid, loads the
// signed HLS master playlist with hls.js and the MPD with dash.js, waits
// for currentTime > 5 s, forces a switch to the other video rung, checks
// the player reports it and playback goes on across it; screenshots
// into OUTDIR.  Prints one JSON line per player.
// usage: node players.js CHROMIUM PAGE_PORT HLS_URL MPD_URL OUTDIR
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const NM = process.env.NODE_PATH.split(':')[0];
const FILES = {
    '/hls.js': path.join(NM, 'hls.js/dist/hls.min.js'),
    '/dash.js': path.join(NM, 'dashjs/dist/modern/umd/dash.all.min.js'),
};
const PAGE = `<!doctype html><html><head><meta charset="utf-8">
<script src="/hls.js"></script><script src="/dash.js"></script></head>
<body style="margin:0;background:#222;color:#eee;font:14px sans-serif">
<video id="v" muted playsinline width="640" height="360"></video>
<pre id="log"></pre>
<script>
const v = document.getElementById('v');
window.rungs = [];                      // what the player says it shows
window.note = (s) => { document.getElementById('log').textContent += s + '\\n'; };
window.startHls = (src) => {
  const hls = new Hls({ startLevel: 0, capLevelToPlayerSize: false });
  window.player = { kind: 'hls', hls,
    levels: () => hls.levels.length,
    level: () => hls.currentLevel,
    force: (i) => { hls.currentLevel = i; } };
  hls.on(Hls.Events.LEVEL_SWITCHED, (e, d) => {
    rungs.push({ level: d.level, t: v.currentTime });
    note('hls.js: level ' + d.level + ' (' + hls.levels[d.level].height + 'p) at ' + v.currentTime.toFixed(2) + ' s');
  });
  hls.on(Hls.Events.ERROR, (e, d) => note('hls.js error: ' + d.details + (d.fatal ? ' (fatal)' : '')));
  hls.on(Hls.Events.MANIFEST_PARSED, () => v.play());
  hls.loadSource(src);
  hls.attachMedia(v);
};
window.startDash = (src) => {
  const p = dashjs.MediaPlayer().create();
  p.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: false } } } });
  window.player = { kind: 'dash', p,
    levels: () => p.getRepresentationsByType('video').length,
    level: () => { const r = p.getCurrentRepresentationForType('video'); return r ? r.absoluteIndex : -1; },
    force: (i) => p.setRepresentationForTypeByIndex('video', i, true) };
  p.on(dashjs.MediaPlayer.events.QUALITY_CHANGE_RENDERED, (e) => {
    if (e.mediaType !== 'video') return;
    rungs.push({ level: e.newRepresentation.absoluteIndex, t: v.currentTime });
    note('dash.js: representation ' + e.newRepresentation.id + ' (' + e.newRepresentation.height + 'p) at ' + v.currentTime.toFixed(2) + ' s');
  });
  p.on(dashjs.MediaPlayer.events.ERROR, (e) => note('dash.js error: ' + JSON.stringify(e.error || e)));
  p.initialize(v, src, true);
};
</script></body></html>`;

function serve(port) {
    const srv = http.createServer((req, res) => {
        const f = FILES[req.url];
        if (req.url === '/') {
            res.writeHead(200, { 'Content-Type': 'text/html' });
            return res.end(PAGE);
        }
        if (!f) { res.writeHead(404); return res.end(); }
        res.writeHead(200, { 'Content-Type': 'text/javascript' });
        fs.createReadStream(f).pipe(res);
    });
    return new Promise((ok) => srv.listen(port, '127.0.0.1', () => ok(srv)));
}

// state - what the page shows now.
const state = (page) => page.evaluate(() => ({
    t: document.getElementById('v').currentTime,
    h: document.getElementById('v').videoHeight,
    level: player.level(), levels: player.levels(), rungs: rungs.slice(),
    paused: document.getElementById('v').paused,
    log: document.getElementById('log').textContent }));

async function waitFor(page, what, pred, ms) {
    const end = Date.now() + ms;
    let s;
    for (;;) {
        s = await state(page);
        if (pred(s)) return s;
        if (Date.now() > end) throw new Error('timeout waiting for ' + what + ': ' + JSON.stringify(s));
        await page.waitForTimeout(200);
    }
}

async function play(browser, origin, kind, src, out) {
    const page = await browser.newPage({ viewport: { width: 640, height: 480 } });
    const r = { player: kind, ok: false };
    const fails = [];
    const apid = new URL(src).origin;
    r.requests = 0;
    r.unsigned = 0;
    page.on('request', (q) => {
        if (!q.url().startsWith(apid)) return;
        r.requests++;
        if (!new URL(q.url()).pathname.startsWith('/v1/signed/')) r.unsigned++;
    });
    page.on('requestfailed', (q) => fails.push(q.url().replace(/signed\/[^/]+/, 'signed/…') + ' ' + (q.failure() || {}).errorText));
    try {
        await page.goto(origin + '/');
        await page.evaluate(([k, s]) => (k === 'hls' ? startHls(s) : startDash(s)), [kind, src]);
        const a = await waitFor(page, 'currentTime > 5 s', (s) => s.t > 5, 30000);
        r.before = { t: a.t, level: a.level, height: a.h, levels: a.levels };
        await page.screenshot({ path: `${out}/${kind}-before-switch.png` });
        const to = a.level === 0 ? 1 : 0;
        await page.evaluate((i) => player.force(i), to);
        const b = await waitFor(page, 'the switch to rung ' + to,
            (s) => s.rungs.some((x) => x.level === to && x.t >= a.t) && s.level === to && s.t > a.t + 0.5, 20000);
        const c = await waitFor(page, 'playback across the switch',
            (s) => s.t > b.t + 1.5 && !s.paused, 15000);
        r.after = { t: c.t, level: c.level, height: c.h, switched_at: b.rungs.filter((x) => x.level === to).pop().t };
        await page.screenshot({ path: `${out}/${kind}-after-switch.png` });
        r.rungs = c.rungs;
        r.ok = true;
    } catch (e) {
        r.error = String(e.message || e);
        await page.screenshot({ path: `${out}/${kind}-failed.png` }).catch(() => {});
    }
    r.failed_requests = fails;
    await page.close();
    return r;
}

async function main() {
    const [exe, port, hlsUrl, mpdUrl, out] = process.argv.slice(2);
    const srv = await serve(Number(port));
    const origin = 'http://127.0.0.1:' + srv.address().port;
    console.log(JSON.stringify({ origin }));
    const browser = await chromium.launch({
        executablePath: exe, headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
    });
    try {
        console.log(JSON.stringify(await play(browser, origin, 'hls', hlsUrl, out)));
        console.log(JSON.stringify(await play(browser, origin, 'dash', mpdUrl, out)));
    } finally {
        await browser.close();
        srv.close();
    }
}
main().catch((e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); });
