// Development preview of the launch dashboard page without a deployment: serves the page files,
// the golden snapshot at /api/v1/snapshot, and at /api/v1/events that snapshot every 2 s as a
// `snapshot` event with generatedAt moved on and one node's state flipping.
//
//   node tests/js/dashboard-preview.mjs [PORT]     (PORT 0, the default, picks a free one)

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dashboard = join(here, '../../node/src/launch/dashboard');
const golden = JSON.parse(readFileSync(join(dashboard, 'golden/snapshot.json'), 'utf8'));

// The same routes and headers as the real server.
const PAGES = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/map.js': ['map.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};
const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'";

function snapshotAt(tick) {
  const snapshot = structuredClone(golden);
  snapshot.generatedAt = golden.generatedAt + tick * 2000;
  snapshot.uptimeSeconds = golden.uptimeSeconds + tick * 2;
  const node = snapshot.networks[0]?.nodes?.at(-1);
  if (node && tick % 2 === 1) node.state = node.state === 'up' ? 'restarting' : 'up';
  return snapshot;
}

let tick = 0;
const clients = new Set();
setInterval(() => {
  tick += 1;
  const line = `event: snapshot\ndata: ${JSON.stringify(snapshotAt(tick))}\n\n`;
  for (const res of clients) res.write(line);
}, 2000).unref();

const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  const headers = { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' };
  if (req.method !== 'GET') {
    res.writeHead(405, headers).end();
  } else if (PAGES[path]) {
    const [file, type] = PAGES[path];
    // Read on every request so edits show up on reload.
    res.writeHead(200, { ...headers, 'Content-Type': type }).end(readFileSync(join(dashboard, 'page', file)));
  } else if (path === '/api/v1/snapshot') {
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(golden));
  } else if (path === '/api/v1/events') {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream' });
    res.write(`event: snapshot\ndata: ${JSON.stringify(snapshotAt(tick))}\n\n`);
    clients.add(res);
    req.on('close', () => clients.delete(res));
  } else {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
  }
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`dashboard preview on http://127.0.0.1:${server.address().port}/`);
});
