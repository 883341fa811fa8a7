// SPDX-License-Identifier: GPL-2.0-or-later
// dash_click.js - drive the dashboard in Debian's headless Chromium with
// playwright-core (test_dash_click.sh): open /status as the operator,
// press the retry button of one media and the cancel button of another,
// a screenshot after each step into OUTDIR; prints one JSON line.
// usage: node dash_click.js CHROMIUM URL USER PASSWORD RETRY_ID CANCEL_ID OUTDIR
'use strict';
const { chromium } = require('playwright-core');

async function press(page, id, shot) {
    const [resp] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.click('#' + id),
    ]);
    await page.screenshot({ path: shot, fullPage: true });
    return { id, status: resp ? resp.status() : 0, url: page.url() };
}

async function main() {
    const [exe, url, user, pass, retryId, cancelId, out] = process.argv.slice(2);
    const browser = await chromium.launch({
        executablePath: exe, headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
    });
    const result = { steps: [] };
    try {
        const ctx = await browser.newContext({
            httpCredentials: { username: user, password: pass },
            viewport: { width: 1280, height: 1000 },
        });
        const page = await ctx.newPage();
        const first = await page.goto(url + '/status');
        result.status = first.status();
        await page.screenshot({ path: out + '/0-dashboard.png', fullPage: true });
        result.steps.push(await press(page, 'retry-' + retryId, out + '/1-after-retry.png'));
        result.steps.push(await press(page, 'cancel-' + cancelId, out + '/2-after-cancel.png'));
        result.rows = await page.$$eval('tr[id^="m-"]', (rows) =>
            rows.map((r) => r.id + ' ' + r.innerText.replace(/\s+/g, ' ')));
    } finally {
        await browser.close();
    }
    console.log(JSON.stringify(result));
}

main().catch((e) => { console.error(e); process.exit(1); });
