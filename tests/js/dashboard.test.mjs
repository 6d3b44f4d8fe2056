// The dashboard of a launched deployment, in headless Chromium (Debian's, driven by
// puppeteer-core): every network and bridge of launch.json is drawn; a routed request appears
// and turns settled; a node this test kills shows as restarting and then up. The JSON API has
// the golden snapshot's shape, the server refuses other hosts, and launch's /metrics counts the
// restart. A screenshot is saved to $PLEXUS_TEST_OUTPUT (default tests/js/output/).
// run.sh runs it after the other suites (PLEXUS_DASHBOARD_AFTER_SUITES=1), whose transactions and
// access decisions it must then show too. It kills a consumer node.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import puppeteer from 'puppeteer-core';

import { FINALIZE_TIMEOUT_MS, SS58_FORMAT, connect, loadLaunchReport, signSendAndFinalize, transactProgram, withTimeout } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const golden = JSON.parse(readFileSync(join(here, '../../node/src/launch/dashboard/golden/snapshot.json'), 'utf8'));
const CHROMIUM = process.env.PLEXUS_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = process.env.PLEXUS_TEST_OUTPUT ?? join(here, 'output');
// Relaying takes a few finalized blocks each way; the collector looks every 2 s.
const SETTLE_TIMEOUT_MS = 240_000;
const RESTART_TIMEOUT_MS = 120_000;

/// The key paths of a JSON value: objects by key, arrays by their first element.
function shape(value, path = '') {
  if (Array.isArray(value)) return value.length ? shape(value[0], `${path}[]`) : [`${path}[]`];
  if (value !== null && typeof value === 'object') {
    return Object.keys(value).sort().flatMap((k) => [`${path}.${k}`, ...shape(value[k], `${path}.${k}`)]);
  }
  return [];
}

/// The sum of `name`'s samples that carry every label of `labels`, in a text exposition.
function metric(text, name, labels) {
  return text.split('\n')
    .filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/// Polls `url`'s metrics until `check(text)` holds, for at most `ms`.
async function metricsUntil(url, ms, check) {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = await (await fetch(url)).text();
    if (check(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/// GET `url` with a Host header of our choosing (fetch may not set it).
function getWithHost(url, host) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard of a launched deployment', { skip: !existsSync(CHROMIUM) && process.env.CI !== 'true' && `no Chromium at ${CHROMIUM}` }, () => {
  let report;
  let browser;
  let page;
  let alpha;
  let beta;

  before(async () => {
    report = loadLaunchReport();
    assert.ok(report.dashboard?.url?.startsWith('http://127.0.0.1:'), `launch.json names the dashboard: ${JSON.stringify(report.dashboard)}`);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Without the background-networking flags Chromium keeps calling out, which this
      // machine's closed network refuses.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.errors = errors;
    await page.goto(report.dashboard.url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.body.dataset.generatedAt, { timeout: 30_000 });
  });

  after(async () => {
    if (page) {
      mkdirSync(OUTPUT, { recursive: true });
      const file = join(OUTPUT, 'dashboard.png');
      await page.screenshot({ path: file, fullPage: true }).then(() => console.log(`# screenshot: ${file}`), () => {});
    }
    await browser?.close();
    await Promise.allSettled([alpha, beta].filter(Boolean).map((api) => withTimeout(api.disconnect(), 10_000, 'disconnect')));
  });

  test('the JSON API has the documented shape and answers only its own host', async () => {
    const snapshot = await (await fetch(report.dashboard.api)).json();
    assert.equal(snapshot.api, 1);
    // Every key of the golden snapshot, where the live one has the lists filled.
    const live = new Set(shape(snapshot));
    // An empty list has no element keys: only `list[]`.
    const emptyList = (key) => key.includes('[]') && live.has(`${key.slice(0, key.indexOf('[]'))}[]`);
    for (const key of shape(golden)) {
      assert.ok(live.has(key) || emptyList(key), `the live snapshot lacks ${key}`);
    }
    for (const key of live) {
      assert.ok(key.endsWith('[]') || shape(golden).includes(key), `the golden snapshot lacks ${key}`);
    }
    assert.deepEqual(snapshot.networks.map((n) => n.name), report.networks.map((n) => n.name));
    const url = new URL(report.dashboard.api);
    assert.equal(await getWithHost(report.dashboard.api, url.host), 200);
    assert.equal(await getWithHost(report.dashboard.api, `evil.example:${url.port}`), 403);
    // No account of the suites' keyring is shown.
    const body = JSON.stringify(snapshot);
    const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
    await cryptoWaitReady();
    for (const uri of ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve']) {
      const pair = keyring.addFromUri(uri);
      assert.ok(!body.includes(pair.address), `${uri}'s address is not in the snapshot`);
      assert.ok(!body.includes(Buffer.from(pair.publicKey).toString('hex')), `${uri}'s key is not in the snapshot`);
    }
  });

  test('draws every network and bridge of the deployment', async () => {
    for (const n of report.networks) {
      assert.ok(await page.$(`#map [data-network="${n.name}"]`), `network ${n.name} on the map`);
    }
    for (const b of report.bridges) {
      assert.ok(await page.$(`#map [data-bridge="${b.between.join('-')}"]`), `bridge ${b.between.join('-')} on the map`);
    }
    for (const node of report.nodes) {
      assert.ok(await page.$(`#networks tr[data-node="${node.name}"]`), `node ${node.name} listed`);
    }
    assert.deepEqual(page.errors, [], 'no script errors');
  });

  test('shows the other suites\' transactions and access decisions', { skip: process.env.PLEXUS_DASHBOARD_AFTER_SUITES !== '1' && 'run alone' }, async () => {
    const snapshot = await (await fetch(report.dashboard.api)).json();
    const events = new Set(snapshot.transactions.recent.map((t) => t.event));
    assert.ok(events.has('prepared') && events.has('applied'), `transaction events: ${[...events]}`);
    const decisions = snapshot.dataProtection.latest;
    assert.ok(decisions.length > 0, 'access decisions listed');
    for (const d of decisions) {
      assert.ok(d.decision === 'approved' ? d.basis : d.reason, `a decision with its ground: ${JSON.stringify(d)}`);
    }
    const counted = snapshot.dataProtection.perMinute.reduce((sum, m) => sum + m.approved + m.rejected, 0);
    assert.ok(counted >= decisions.length, `${counted} decisions per minute, ${decisions.length} listed`);
    assert.ok(await page.$('#data-protection tr[data-decision]'), 'the page lists decisions');
    assert.ok(snapshot.messages.length >= 2, 'the suites\' routed messages');
  });

  test('a routed request appears and turns settled', async () => {
    await cryptoWaitReady();
    const [a, b] = report.bridges[0].between;
    const producer = (name) => report.nodes.find((n) => n.network === name && n.role === 'producer');
    alpha = await connect(producer(a).rpc);
    beta = await connect(producer(b).rpc);
    const alice = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT }).addFromUri('//Alice');
    const destination = { V5: { parents: 1, interior: { X1: [{ GlobalConsensus: { ByGenesis: beta.genesisHash.toHex() } }] } } };
    const program = transactProgram(beta.tx.system.remarkWithEvent(`seen on the dashboard ${Date.now()}`));
    const tx = alpha.tx.eventRouter.send(destination, 'Xcm', program, { refTime: 1_000_000_000, proofSize: 65_536 }, { height: null, timestamp: Date.now() + 600_000 });
    const { events, dispatchError } = await signSendAndFinalize(tx, alice, FINALIZE_TIMEOUT_MS);
    assert.equal(dispatchError, undefined);
    const sent = events.map(({ event }) => event).find((event) => alpha.events.eventRouter.Sent.is(event));
    const row = `#messages tr[data-message="${a}-${sent.data.id.sequence.toString()}"]`;
    await page.waitForSelector(row, { timeout: 60_000 });
    await page.waitForSelector(`${row}[data-status="ok"]`, { timeout: SETTLE_TIMEOUT_MS });
    // Its path, hop by hop, once selected.
    await page.click(row);
    const hops = await page.$eval('#message-detail', (el) => el.textContent);
    for (const step of ['sent', 'executed', 'acknowledged']) assert.ok(hops.includes(step), `hop ${step} in ${hops}`);
    // Each side's node counted it from finalized blocks.
    const sentOn = producer(a).prometheus;
    const sentText = await metricsUntil(sentOn, 30_000, (t) => metric(t, 'plexus_router_requests_settled_total', { outcome: 'ok' }) >= 1);
    assert.ok(metric(sentText, 'plexus_router_requests_sent_total', { service: 'xcm' }) >= 1, 'sent counted on the origin');
    assert.ok(metric(sentText, 'plexus_router_requests_settled_total', { outcome: 'ok' }) >= 1, 'settled ok counted on the origin');
    const receivedText = await metricsUntil(producer(b).prometheus, 30_000, (t) => metric(t, 'plexus_router_requests_received_total', { service: 'xcm', outcome: 'ok' }) >= 1);
    assert.ok(metric(receivedText, 'plexus_router_requests_received_total', { service: 'xcm', outcome: 'ok' }) >= 1, 'executed counted on the destination');
  });

  test('a killed node shows as restarting, then up, and launch counts the restart', async () => {
    const victim = report.nodes.find((n) => n.role === 'consumer') ?? report.nodes.at(-1);
    const row = `#networks tr[data-node="${victim.name}"]`;
    await page.waitForSelector(`${row}[data-state="up"]`, { timeout: 60_000 });
    process.kill(victim.pid, 'SIGKILL');
    await page.waitForSelector(`${row}[data-state="restarting"]`, { timeout: 30_000 });
    await page.waitForSelector(`${row}[data-state="up"]`, { timeout: RESTART_TIMEOUT_MS });
    const metrics = await (await fetch(report.dashboard.metrics)).text();
    const line = metrics.split('\n').find((l) => l.startsWith(`plexus_launch_child_restarts_total{child="${victim.name}",kind="node"}`));
    assert.ok(line && Number(line.split(' ').at(-1)) >= 1, `a restart counted: ${line}`);
  });
});
