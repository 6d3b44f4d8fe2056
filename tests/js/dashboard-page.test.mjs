// The launch dashboard page's pure helpers (node/src/launch/dashboard/page/map.js) against the
// golden snapshot that is the server's contract, and a scan of app.js for markup-building APIs.
// Needs no deployment.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  PALETTE, bridgeKey, bridgeLabel, colour, decisionBars, formatAge, formatBytes, formatDeadline,
  humanize, layout, messageKey, messageLine, messageTone,
} from '../../node/src/launch/dashboard/page/map.js';

const here = dirname(fileURLToPath(import.meta.url));
const dashboard = join(here, '../../node/src/launch/dashboard');
const golden = JSON.parse(readFileSync(join(dashboard, 'golden/snapshot.json'), 'utf8'));
const WIDTH = 640;
const HEIGHT = 300;

function expectedLabel(bridge) {
  const rate = bridge.directions.reduce((sum, d) => sum + d.messagesPerMinute, 0);
  const lags = bridge.directions.map((d) => d.headerLag);
  const lag = lags.includes(null) ? '?' : Math.max(...lags);
  return `${rate}/min · lag ${lag}`;
}

describe('layout of the golden snapshot', () => {
  const { nodes, edges } = layout(golden, WIDTH, HEIGHT);

  test('one node per network, at distinct positions inside the box', () => {
    assert.deepEqual(nodes.map((n) => n.name), golden.networks.map((n) => n.name));
    for (const [i, node] of nodes.entries()) {
      assert.equal(node.health, golden.networks[i].health);
      assert.equal(node.label, golden.networks[i].name);
      assert.ok(node.r > 0);
      assert.ok(node.x - node.r >= 0 && node.x + node.r <= WIDTH, `${node.name} x within the box`);
      assert.ok(node.y - node.r >= 0 && node.y + node.r <= HEIGHT, `${node.name} y within the box`);
    }
    const positions = new Set(nodes.map((n) => `${n.x},${n.y}`));
    assert.equal(positions.size, nodes.length);
  });

  test('one edge per bridge, labelled with its summed rate and largest header lag', () => {
    assert.equal(edges.length, golden.bridges.length);
    for (const [i, bridge] of golden.bridges.entries()) {
      const edge = edges[i];
      assert.deepEqual(edge.between, bridge.between);
      assert.equal(edge.health, bridge.health);
      assert.equal(edge.label, expectedLabel(bridge));
      for (const v of [edge.x1, edge.y1, edge.x2, edge.y2, edge.lx, edge.ly]) {
        assert.ok(Number.isFinite(v));
      }
    }
    // Spelled out once, so a change in the golden data or the format is noticed.
    assert.equal(edges[0].label, '5/min · lag 40');
  });

  test('an unknown header lag shows as ?', () => {
    const bridge = structuredClone(golden.bridges[0]);
    bridge.directions[1].headerLag = null;
    assert.match(bridgeLabel(bridge), /· lag \?$/);
  });

  test('a single network sits at the centre; a bridge to an unknown network is skipped', () => {
    const one = { networks: [golden.networks[0]], bridges: golden.bridges };
    const result = layout(one, WIDTH, HEIGHT);
    assert.equal(result.nodes.length, 1);
    assert.equal(result.nodes[0].x, WIDTH / 2);
    assert.equal(result.nodes[0].y, HEIGHT / 2);
    assert.equal(result.edges.length, 0);
  });

  test('an empty or missing snapshot lays out nothing', () => {
    assert.deepEqual(layout({}, WIDTH, HEIGHT), { nodes: [], edges: [] });
    assert.deepEqual(layout(null, WIDTH, HEIGHT), { nodes: [], edges: [] });
  });

  test('five networks stay inside the box at distinct positions', () => {
    const networks = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ ...golden.networks[0], name }));
    const result = layout({ networks, bridges: [] }, WIDTH, HEIGHT);
    assert.equal(new Set(result.nodes.map((n) => `${n.x},${n.y}`)).size, 5);
    for (const n of result.nodes) {
      assert.ok(n.x - n.r >= 0 && n.x + n.r <= WIDTH && n.y - n.r >= 0 && n.y + n.r <= HEIGHT);
    }
  });

  test('a name that looks like markup stays a plain string', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const snapshot = structuredClone(golden);
    snapshot.networks[0].name = evil;
    snapshot.bridges[0].between[0] = evil;
    const result = layout(snapshot, WIDTH, HEIGHT);
    assert.equal(typeof result.nodes[0].label, 'string');
    assert.equal(result.nodes[0].label, evil);
    assert.equal(result.nodes[0].name, evil);
    assert.equal(result.edges.length, 1);
    assert.deepEqual(result.edges[0].between, [evil, golden.bridges[0].between[1]]);
    assert.equal(result.edges[0].label, expectedLabel(golden.bridges[0]));
  });
});

describe('colours', () => {
  test('bad is the red, different from ok and warn', () => {
    assert.equal(colour('bad'), PALETTE.bad);
    assert.match(PALETTE.bad, /^#[0-9a-f]{6}$/i);
    assert.notEqual(colour('bad'), colour('ok'));
    assert.notEqual(colour('bad'), colour('warn'));
    assert.notEqual(colour('ok'), colour('warn'));
    assert.equal(colour('ok'), PALETTE.ok);
    assert.equal(colour('warn'), PALETTE.warn);
  });

  test('anything else is grey', () => {
    for (const health of ['unknown', 'OK', '', null, undefined, 42, 'toString', '__proto__']) {
      assert.equal(colour(health), PALETTE.unknown, String(health));
    }
  });
});

describe('formatting', () => {
  test('formatAge', () => {
    assert.equal(formatAge(0), '0s');
    assert.equal(formatAge(12), '12s');
    assert.equal(formatAge(59.9), '59s');
    assert.equal(formatAge(60), '1m 00s');
    assert.equal(formatAge(3599), '59m 59s');
    assert.equal(formatAge(3600), '1h 00m');
    assert.equal(formatAge(86400 + 3600), '1d 1h');
    for (const bad of [null, undefined, -1, NaN, Infinity, '12']) {
      assert.equal(formatAge(bad), '—', String(bad));
    }
  });

  test('formatBytes', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(golden.networks[0].nodes[0].memoryBytes), '143 MiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
    assert.equal(formatBytes(2048 * 1024 ** 4), '2048 TiB');
    for (const bad of [null, undefined, -1, NaN, Infinity]) {
      assert.equal(formatBytes(bad), '—', String(bad));
    }
  });

  test('deadlines are relative to the snapshot', () => {
    const [t] = golden.transactions.inDoubt;
    assert.equal(formatDeadline(t.deadline, golden.generatedAt), `in ${formatAge((t.deadline - golden.generatedAt) / 1000)}`);
    assert.equal(formatDeadline(golden.generatedAt - 5000, golden.generatedAt), '5s ago');
    assert.equal(formatDeadline(null, golden.generatedAt), '—');
  });

  test('keys, message lines and camelCase values', () => {
    const [m] = golden.messages;
    assert.equal(messageKey(m), `${m.origin}-${m.sequence}`);
    assert.equal(bridgeKey(golden.bridges[0]), golden.bridges[0].between.join('-'));
    assert.equal(messageLine(m), `${m.origin}#${m.sequence} ${m.origin} → ${m.destination} · ${m.service} · ${m.status}`);
    assert.equal(humanize('givenUp'), 'given up');
    assert.equal(humanize('inFlight'), 'in flight');
    assert.equal(humanize(null), '—');
  });
});

describe('decisions chart', () => {
  test('the golden minute is the last of the 60 bars, stacked to the full height', () => {
    const { max, bars } = decisionBars(golden.dataProtection.perMinute, golden.generatedAt, 600, 90);
    const [p] = golden.dataProtection.perMinute;
    assert.equal(max, p.approved + p.rejected);
    assert.equal(bars.length, 1);
    assert.ok(bars[0].x > 590 - bars[0].width && bars[0].x + bars[0].width <= 600);
    assert.equal(bars[0].approvedHeight + bars[0].rejectedHeight, 90);
    assert.equal(bars[0].rejectedY, 0);
  });

  test('minutes outside the last hour are left out', () => {
    const now = golden.generatedAt;
    const minute = Math.floor(now / 60000);
    const rows = [{ minute: minute - 60, approved: 9, rejected: 9 }, { minute: minute + 1, approved: 1, rejected: 0 }];
    assert.deepEqual(decisionBars(rows, now, 600, 90), { max: 1, bars: [] });
  });
});

test('app.js builds no markup from strings', () => {
  const source = readFileSync(join(dashboard, 'page/app.js'), 'utf8');
  for (const banned of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'eval(', 'document.write', 'new Function']) {
    assert.ok(!source.includes(banned), `app.js uses ${banned}`);
  }
});

test('index.html has no inline script or style', () => {
  const html = readFileSync(join(dashboard, 'page/index.html'), 'utf8');
  assert.doesNotMatch(html, /<style/i);
  assert.doesNotMatch(html, /\sstyle=/i);
  assert.doesNotMatch(html, /\son[a-z]+=/i);
  for (const script of html.match(/<script[^>]*>[\s\S]*?<\/script>/gi) ?? []) {
    assert.match(script, /^<script type="module" src="\/app\.js"><\/script>$/);
  }
});

test('every message status the server writes has its tone', () => {
  // node/src/launch/dashboard/index.rs sets these; anything else is unknown (grey).
  const tones = { ok: 'ok', inFlight: 'warn', err: 'bad', timedOut: 'bad', timeoutProven: 'bad', unroutable: 'bad' };
  for (const [status, tone] of Object.entries(tones)) assert.equal(messageTone(status), tone, status);
  assert.equal(messageTone('delivered'), 'unknown');
  const index = readFileSync(join(dashboard, 'index.rs'), 'utf8');
  for (const status of Object.keys(tones)) assert.ok(index.includes(`"${status}"`), `index.rs writes ${status}`);
});
