// The dashboard page: one snapshot from /api/v1/snapshot, then every `snapshot` event of
// /api/v1/events. Everything is built with DOM calls; text from the server only ever reaches
// text nodes and attribute values, never a markup parser.

import {
  bridgeKey, colour, decisionBars, decisionTone, directionKey, formatAge, formatBlockTime,
  formatBytes, formatClock, formatDeadline, formatNumber, formatRate, humanize, layout,
  messageKey, messageTone, stateTone, tone,
} from './map.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const MAP_SIZE = { width: 640, height: 260 };
const CHART = { width: 600, height: 90, top: 14, bottom: 18 };

const state = { snapshot: null, selected: null, link: 'connecting' };

function fill(element, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

const h = (tag, attrs, ...children) => fill(document.createElement(tag), attrs, children);
const s = (tag, attrs, ...children) => fill(document.createElementNS(SVG_NS, tag), attrs, children);
const bodyOf = (id) => document.querySelector(`#${id} > .body`);

const num = (n) => h('td', { class: 'num' }, formatNumber(n));
const chip = (text, toneName) => h('span', { class: `chip tone-${toneName}` }, text);
const empty = (text) => h('p', { class: 'empty' }, text);

function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map(([label, cls]) => h('th', { class: cls, scope: 'col' }, label)))),
    h('tbody', {}, rows));
}

function stats(pairs) {
  return h('dl', { class: 'stats' },
    pairs.map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))));
}

function renderMap(snapshot) {
  const { width, height } = MAP_SIZE;
  const { nodes, edges } = layout(snapshot, width, height);
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'topology', role: 'img', 'aria-label': 'network topology',
  });
  for (const edge of edges) {
    const key = edge.between.join('-');
    svg.append(s('g', { class: 'edge', 'data-bridge': key, 'data-health': edge.health },
      s('title', {}, `${edge.between.join(' ⇄ ')}: ${edge.label}`),
      s('line', { x1: edge.x1, y1: edge.y1, x2: edge.x2, y2: edge.y2, stroke: colour(edge.health), 'stroke-width': 4, 'stroke-linecap': 'round' }),
      s('text', { x: edge.lx, y: edge.ly, class: 'edge-label', 'text-anchor': 'middle' }, edge.label)));
  }
  for (const node of nodes) {
    svg.append(s('g', { class: 'net', 'data-network': node.name, 'data-health': node.health },
      s('title', {}, `${node.name}: ${node.health}`),
      s('circle', { cx: node.x, cy: node.y, r: node.r, fill: colour(node.health), stroke: '#1f2328', 'stroke-opacity': 0.25, 'stroke-width': 2 }),
      s('text', { x: node.x, y: node.y + node.r + 16, class: 'net-name', 'text-anchor': 'middle' }, node.label),
      s('text', { x: node.x, y: node.y + node.r + 31, class: 'net-blocks', 'text-anchor': 'middle' }, node.blocks)));
  }
  if (nodes.length === 0) {
    svg.append(s('text', { x: width / 2, y: height / 2, class: 'net-blocks', 'text-anchor': 'middle' }, 'no networks'));
  }
  bodyOf('map').replaceChildren(svg);
}

function renderNetworks(snapshot) {
  const cards = (snapshot.networks ?? []).map((network) => h('div', { class: 'card', 'data-network': network.name },
    h('div', { class: 'card-head' },
      h('h3', {}, network.name), chip(humanize(network.health), tone(network.health)),
      h('span', { class: 'muted' }, `id ${formatNumber(network.id)}`)),
    stats([
      ['best', `#${formatNumber(network.best)}`],
      ['finalized', `#${formatNumber(network.finalized)}`],
      ['finality lag', formatNumber(network.finalityLag)],
      ['block time', formatBlockTime(network.blockTimeMs)],
      ['peers', formatNumber(network.peers)],
      ['pool', formatNumber(network.pool)],
      ['in doubt', formatNumber(network.inDoubt)],
    ]),
    table(
      [['node'], ['role'], ['pid', 'num'], ['state'], ['restarts', 'num'], ['memory', 'num'], ['best', 'num'], ['finalized', 'num'], ['peers', 'num']],
      (network.nodes ?? []).map((node) => h('tr', { 'data-node': node.name, 'data-state': node.state },
        h('td', { title: node.rpc ?? null }, node.name),
        h('td', {}, humanize(node.role)),
        num(node.pid),
        h('td', {}, chip(humanize(node.state), stateTone(node.state))),
        num(node.restarts),
        h('td', { class: 'num' }, formatBytes(node.memoryBytes)),
        num(node.best), num(node.finalized), num(node.peers))),
    )));
  bodyOf('networks').replaceChildren(...(cards.length ? cards : [empty('no networks')]));
}

function renderBridges(snapshot) {
  const cards = (snapshot.bridges ?? []).map((bridge) => {
    const relayer = bridge.relayer ?? {};
    return h('div', { class: 'card', 'data-bridge': bridgeKey(bridge) },
      h('div', { class: 'card-head' },
        h('h3', {}, (bridge.between ?? []).join(' ⇄ ')), chip(humanize(bridge.health), tone(bridge.health))),
      h('p', { class: 'relayer' },
        h('span', { class: 'muted' }, 'relayer '), relayer.name ?? '—', ' ',
        chip(humanize(relayer.state), stateTone(relayer.state)),
        h('span', { class: 'mono' }, ` pid ${formatNumber(relayer.pid)} · ${formatNumber(relayer.restarts)} restarts · ${formatBytes(relayer.memoryBytes)}`)),
      table(
        [['direction'], ['header lag', 'num'], ['generated', 'num'], ['delivered', 'num'], ['confirmed', 'num'], ['in flight', 'num'], ['oldest', 'num'], ['msgs/min', 'num']],
        (bridge.directions ?? []).map((d) => h('tr', { 'data-direction': directionKey(d) },
          h('td', {}, `${d.source} → ${d.target}`),
          h('td', { class: 'num' }, d.headerLag === null ? '?' : formatNumber(d.headerLag)),
          num(d.lane?.generated), num(d.lane?.delivered), num(d.lane?.confirmed),
          num(d.inFlight),
          h('td', { class: 'num' }, formatAge(d.oldestAgeSeconds)),
          h('td', { class: 'num' }, formatRate(d.messagesPerMinute)))),
      ));
  });
  bodyOf('bridges').replaceChildren(...(cards.length ? cards : [empty('no bridges')]));
}

function renderMessages(snapshot) {
  const messages = snapshot.messages ?? [];
  const rows = messages.map((m) => {
    const key = messageKey(m);
    const selected = key === state.selected;
    return h('tr', {
      'data-message': key, 'data-status': m.status, tabindex: 0,
      class: selected ? 'selectable selected' : 'selectable', 'aria-selected': selected ? 'true' : 'false',
    },
    h('td', { class: 'mono' }, `${m.origin}#${m.sequence}`),
    h('td', {}, `${m.origin} → ${m.destination ?? '—'}`),
    h('td', {}, m.service),
    h('td', {}, chip(humanize(m.status), messageTone(m.status))),
    num(m.hops?.length ?? 0));
  });
  bodyOf('messages').replaceChildren(messages.length
    ? table([['message'], ['route'], ['service'], ['status'], ['hops', 'num']], rows, { class: 'messages' })
    : empty('no messages yet'));
  renderDetail(snapshot);
}

function renderDetail(snapshot) {
  const detail = document.getElementById('message-detail');
  if (state.selected === null) {
    detail.replaceChildren(empty('select a message to see its hops'));
    return;
  }
  const m = (snapshot.messages ?? []).find((x) => messageKey(x) === state.selected);
  if (!m) {
    detail.replaceChildren(empty(`message ${state.selected} is no longer among the latest`));
    return;
  }
  detail.replaceChildren(
    h('h3', {}, `${m.origin}#${m.sequence} · ${m.origin} → ${m.destination ?? '—'} · ${m.service ?? '—'} · ${humanize(m.status)}`),
    table([['network'], ['step'], ['block', 'num']],
      (m.hops ?? []).map((hop) => h('tr', {}, h('td', {}, hop.network), h('td', {}, humanize(hop.step)), num(hop.block)))));
}

function renderTransactions(snapshot) {
  const tx = snapshot.transactions ?? {};
  const inDoubt = tx.inDoubt ?? [];
  const recent = tx.recent ?? [];
  bodyOf('transactions').replaceChildren(
    h('h3', {}, 'In doubt'),
    inDoubt.length ? table(
      [['network'], ['transaction'], ['target'], ['prepared', 'num'], ['deadline'], ['past deadline']],
      inDoubt.map((t) => h('tr', { 'data-transaction': `${t.coordinator}-${t.sequence}` },
        h('td', {}, t.network), h('td', { class: 'mono' }, `${t.coordinator}#${t.sequence}`), h('td', {}, t.target),
        num(t.preparedBlock),
        h('td', { title: formatClock(t.deadline) }, formatDeadline(t.deadline, snapshot.generatedAt)),
        h('td', {}, t.pastDeadline ? chip('yes', 'bad') : 'no')))) : empty('nothing in doubt'),
    h('h3', {}, 'Recent'),
    recent.length ? table([['network'], ['transaction'], ['event'], ['block', 'num']],
      recent.map((t) => h('tr', {},
        h('td', {}, t.network), h('td', { class: 'mono' }, `${t.coordinator}#${t.sequence}`),
        h('td', {}, humanize(t.event)), num(t.block)))) : empty('no recent events'));
}

function renderDataProtection(snapshot) {
  const dp = snapshot.dataProtection ?? {};
  const plot = CHART.height;
  const { max, bars } = decisionBars(dp.perMinute, snapshot.generatedAt, CHART.width, plot);
  const total = CHART.top + plot + CHART.bottom;
  const svg = s('svg', { viewBox: `0 0 ${CHART.width} ${total}`, class: 'chart', role: 'img', 'aria-label': 'decisions per minute, last 60 minutes' },
    s('text', { x: 0, y: 10, class: 'axis' }, `${max}/min`),
    s('line', { x1: 0, y1: CHART.top, x2: CHART.width, y2: CHART.top, class: 'gridline' }),
    s('g', { transform: `translate(0 ${CHART.top})` }, bars.map((bar) => s('g', { class: 'bar' },
      s('title', {}, `${formatClock(bar.minute * 60000)} · ${bar.approved} approved, ${bar.rejected} rejected`),
      s('rect', { x: bar.x, y: bar.approvedY, width: bar.width, height: bar.approvedHeight, fill: colour('ok') }),
      s('rect', { x: bar.x, y: bar.rejectedY, width: bar.width, height: bar.rejectedHeight, fill: colour('bad') })))),
    s('line', { x1: 0, y1: CHART.top + plot, x2: CHART.width, y2: CHART.top + plot, class: 'baseline' }),
    s('text', { x: 0, y: total - 3, class: 'axis' }, '60 min ago'),
    s('text', { x: CHART.width, y: total - 3, class: 'axis', 'text-anchor': 'end' }, 'now'));
  const latest = dp.latest ?? [];
  bodyOf('data-protection').replaceChildren(
    h('p', { class: 'legend' }, h('span', { class: 'swatch tone-ok' }), 'approved ', h('span', { class: 'swatch tone-bad' }), 'rejected'),
    svg,
    latest.length ? table([['network'], ['request', 'num'], ['block', 'num'], ['decision'], ['reason / basis']],
      latest.map((d) => h('tr', { 'data-decision': `${d.network}-${d.request}` },
        h('td', {}, d.network), num(d.request), num(d.block),
        h('td', {}, chip(humanize(d.decision), decisionTone(d.decision))),
        h('td', {}, humanize(d.reason ?? d.basis))))) : empty('no decisions yet'));
}

function renderEthRpc(snapshot) {
  const children = snapshot.ethRpc ?? [];
  bodyOf('eth-rpc').replaceChildren(children.length
    ? table([['name'], ['network'], ['url'], ['state'], ['pid', 'num'], ['restarts', 'num']],
      children.map((c) => h('tr', { 'data-eth-rpc': c.name, 'data-state': c.state },
        h('td', {}, c.name), h('td', {}, c.network), h('td', { class: 'mono' }, c.url),
        h('td', {}, chip(humanize(c.state), stateTone(c.state))), num(c.pid), num(c.restarts))))
    : empty('no eth-rpc servers'));
}

function renderConnection() {
  const line = document.getElementById('connection');
  const snap = state.snapshot;
  const parts = [state.link === 'live' ? 'live' : state.link === 'reconnecting' ? 'reconnecting…' : 'connecting…'];
  if (snap) {
    parts.push(`snapshot ${formatClock(snap.generatedAt)}`, `up ${formatAge(snap.uptimeSeconds)}`);
    if (snap.api !== 1) parts.push(`unexpected api version ${snap.api}`);
  }
  line.dataset.state = state.link;
  line.textContent = parts.join(' · ');
}

function render(snapshot) {
  if (!snapshot || typeof snapshot !== 'object') return;
  state.snapshot = snapshot;
  for (const part of [renderMap, renderNetworks, renderBridges, renderMessages, renderTransactions, renderDataProtection, renderEthRpc]) {
    try {
      part(snapshot);
    } catch (err) {
      console.error(`dashboard: ${part.name} failed`, err);
    }
  }
  renderConnection();
  document.body.dataset.generatedAt = String(snapshot.generatedAt);
}

function select(row) {
  if (!row) return;
  const key = row.dataset.message;
  state.selected = state.selected === key ? null : key;
  if (state.snapshot) renderMessages(state.snapshot);
  document.querySelector(`#messages tr[data-message="${CSS.escape(key)}"]`)?.focus();
}

function start() {
  const messages = document.getElementById('messages');
  messages.addEventListener('click', (e) => select(e.target.closest('tr[data-message]')));
  messages.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const row = e.target.closest('tr[data-message]');
    if (row) {
      e.preventDefault();
      select(row);
    }
  });
  renderDetail({ messages: [] });

  fetch('/api/v1/snapshot', { cache: 'no-store' })
    .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}`))))
    // An event may have come first; it is at least as new.
    .then((snapshot) => { if (!state.snapshot) render(snapshot); })
    .catch((err) => console.error('dashboard: snapshot', err));

  const events = new EventSource('/api/v1/events');
  events.addEventListener('open', () => { state.link = 'live'; renderConnection(); });
  events.addEventListener('error', () => { state.link = 'reconnecting'; renderConnection(); });
  events.addEventListener('snapshot', (e) => {
    state.link = 'live';
    try {
      render(JSON.parse(e.data));
    } catch (err) {
      console.error('dashboard: bad snapshot event', err);
    }
  });
}

start();
