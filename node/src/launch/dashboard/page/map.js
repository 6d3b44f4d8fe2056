// Pure helpers for the dashboard page: topology layout, colours, formatting and the
// decisions chart geometry. No DOM access and no markup: every string returned here is plain
// text that app.js puts into text nodes or attributes.

export const PALETTE = Object.freeze({
  ok: '#2e7d32',
  warn: '#b26a00',
  bad: '#c62828',
  unknown: '#8a8f98',
});

const TONES = new Set(['ok', 'warn', 'bad']);

// 'ok' | 'warn' | 'bad' for those health strings, 'unknown' for anything else.
export function tone(health) {
  return typeof health === 'string' && TONES.has(health) ? health : 'unknown';
}

export function colour(health) {
  return PALETTE[tone(health)];
}

// Supervised process states (nodes, relayers, eth-rpc children).
export function stateTone(state) {
  switch (state) {
    case 'up': return 'ok';
    case 'restarting': return 'warn';
    case 'down':
    case 'givenUp': return 'bad';
    default: return 'unknown';
  }
}

// Cross-network message statuses, as the server writes them (docs/observability.md):
// settled ok; still in flight; settled with a failure, late, by a proven timeout, or unroutable.
export function messageTone(status) {
  switch (status) {
    case 'ok': return 'ok';
    case 'inFlight': return 'warn';
    case 'err':
    case 'timedOut':
    case 'timeoutProven':
    case 'unroutable': return 'bad';
    default: return 'unknown';
  }
}

export function decisionTone(decision) {
  if (decision === 'approved') return 'ok';
  if (decision === 'rejected') return 'bad';
  return 'unknown';
}

// 'givenUp' → 'given up', 'inFlight' → 'in flight'; other values pass through as text.
export function humanize(value) {
  if (value === null || value === undefined) return '—';
  return String(value).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export const isNumber = (n) => typeof n === 'number' && Number.isFinite(n);

export function formatNumber(n) {
  return isNumber(n) ? String(n) : '—';
}

// Rates such as messages per minute: integers as they are, fractions to one decimal.
export function formatRate(n) {
  if (!isNumber(n)) return '?';
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes) {
  if (!isNumber(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${BYTE_UNITS[unit]}`;
}

const pad2 = (n) => String(n).padStart(2, '0');

// 0 → '0s', 75 → '1m 15s', 3700 → '1h 01m', 90000 → '1d 1h'; unknown or negative → '—'.
export function formatAge(seconds) {
  if (!isNumber(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad2(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad2(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

export function formatBlockTime(ms) {
  return isNumber(ms) ? `${(ms / 1000).toFixed(2)} s` : '—';
}

// Local wall-clock time of a Unix-milliseconds instant, 'HH:MM:SS'.
export function formatClock(ms) {
  if (!isNumber(ms)) return '—';
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

// A deadline relative to the snapshot's own clock: 'in 1m 00s' or '12s ago'.
export function formatDeadline(deadlineMs, nowMs) {
  if (!isNumber(deadlineMs) || !isNumber(nowMs)) return '—';
  const diff = (deadlineMs - nowMs) / 1000;
  return diff >= 0 ? `in ${formatAge(diff)}` : `${formatAge(-diff)} ago`;
}

export const bridgeKey = (bridge) => (bridge?.between ?? []).map(String).join('-');
export const messageKey = (m) => `${m?.origin}-${m?.sequence}`;
export const directionKey = (d) => `${d?.source}-${d?.target}`;

export function messageLine(m) {
  return `${m.origin}#${m.sequence} ${m.origin} → ${m.destination} · ${m.service} · ${humanize(m.status)}`;
}

export function hopLine(hop) {
  return `${hop.network} ${humanize(hop.step)} #${formatNumber(hop.block)}`;
}

// 'sum of both directions' messages per minute / min · lag <max header lag>'; the lag is '?'
// when any direction's header lag is unknown (null) or there are no directions.
export function bridgeLabel(bridge) {
  const directions = Array.isArray(bridge?.directions) ? bridge.directions : [];
  const rates = directions.map((d) => d.messagesPerMinute);
  const rate = rates.every(isNumber) ? formatRate(rates.reduce((a, b) => a + b, 0)) : '?';
  const lags = directions.map((d) => d.headerLag);
  const lag = lags.length > 0 && lags.every(isNumber) ? String(Math.max(...lags)) : '?';
  return `${rate}/min · lag ${lag}`;
}

// Networks go on an ellipse inscribed in the box (a circle when the box is square), the first
// on the left, then clockwise; a single network sits at the centre. Room is left below each
// circle for two lines of text and at the sides for the names.
export function layout(snapshot, width, height) {
  const networks = Array.isArray(snapshot?.networks) ? snapshot.networks : [];
  const bridges = Array.isArray(snapshot?.bridges) ? snapshot.bridges : [];
  const cx = width / 2;
  const cy = height / 2;
  const r = Math.max(10, Math.min(32, Math.min(width, height) * 0.09));
  const rx = Math.max(0, width / 2 - r - 60);
  const ry = Math.max(0, height / 2 - r - 34);
  const count = networks.length;

  const nodes = networks.map((network, i) => {
    const angle = Math.PI + (2 * Math.PI * i) / Math.max(count, 1);
    const x = count === 1 ? cx : cx + rx * Math.cos(angle);
    const y = count === 1 ? cy : cy + ry * Math.sin(angle);
    return {
      name: String(network.name),
      x: round(x),
      y: round(y),
      r: round(r),
      health: tone(network.health),
      label: String(network.name),
      blocks: `#${formatNumber(network.best)}/#${formatNumber(network.finalized)}`,
    };
  });

  const byName = new Map(nodes.map((n) => [n.name, n]));
  const edges = [];
  for (const bridge of bridges) {
    const [a, b] = (bridge.between ?? []).map(String);
    const from = byName.get(a);
    const to = byName.get(b);
    if (!from || !to || from === to) continue;
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    const ux = dx / length;
    const uy = dy / length;
    // Put the label beside the line's midpoint, on its upper side.
    let nx = uy;
    let ny = -ux;
    if (ny > 0 || (ny === 0 && nx > 0)) {
      nx = -nx;
      ny = -ny;
    }
    edges.push({
      between: [a, b],
      x1: round(from.x + ux * from.r),
      y1: round(from.y + uy * from.r),
      x2: round(to.x - ux * to.r),
      y2: round(to.y - uy * to.r),
      lx: round((from.x + to.x) / 2 + nx * 10),
      ly: round((from.y + to.y) / 2 + ny * 10),
      label: bridgeLabel(bridge),
      health: tone(bridge.health),
    });
  }
  return { nodes, edges };
}

// Stacked bars of data-protection decisions for the `minutes` minutes up to the snapshot's
// minute (`nowMs`); `perMinute[].minute` counts minutes since the Unix epoch.
export function decisionBars(perMinute, nowMs, width, height, minutes = 60) {
  const nowMinute = Math.floor((isNumber(nowMs) ? nowMs : 0) / 60000);
  const first = nowMinute - minutes + 1;
  const rows = (Array.isArray(perMinute) ? perMinute : []).filter(
    (p) => isNumber(p?.minute) && p.minute >= first && p.minute <= nowMinute,
  );
  const count = (n) => (isNumber(n) && n > 0 ? n : 0);
  const max = Math.max(1, ...rows.map((p) => count(p.approved) + count(p.rejected)));
  const slot = width / minutes;
  const bars = rows.map((p) => {
    const approved = count(p.approved);
    const rejected = count(p.rejected);
    const approvedHeight = (approved / max) * height;
    const rejectedHeight = (rejected / max) * height;
    return {
      minute: p.minute,
      approved,
      rejected,
      x: round((p.minute - first) * slot + slot * 0.1),
      width: round(slot * 0.8),
      approvedY: round(height - approvedHeight),
      approvedHeight: round(approvedHeight),
      rejectedY: round(height - approvedHeight - rejectedHeight),
      rejectedHeight: round(rejectedHeight),
    };
  });
  return { max, bars };
}

function round(n) {
  return Math.round(n * 10) / 10;
}
