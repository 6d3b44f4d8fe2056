// @substrate/api-sidecar, the REST service exchanges and wallets run against Substrate chains,
// serving every network of a running `plexus-node launch` (tests/js/run.sh starts one and runs
// this after the client tests). What sidecar answers is checked against the node itself: its
// JSON-RPC for blocks and versions, its storage for balances.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';

const require = createRequire(import.meta.url);
const SIDECAR_MAIN = require.resolve('@substrate/api-sidecar/build/src/main.js');
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const START_TIMEOUT_MS = 90_000;
const REQUEST_TIMEOUT_MS = 30_000;
const INCLUDE_TIMEOUT_MS = 90_000;

function launchReport() {
  const path = process.env.PLEXUS_LAUNCH_JSON;
  assert.ok(path, 'PLEXUS_LAUNCH_JSON is not set (tests/js/run.sh sets it)');
  return JSON.parse(readFileSync(path, 'utf8'));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The node's JSON-RPC over HTTP (the WebSocket port serves both). */
async function rpc(wsUrl, method, params = []) {
  const url = wsUrl.replace(/^ws/, 'http');
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await response.json();
  assert.ok(!body.error, `${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

const sidecars = [];
after(() => {
  for (const child of sidecars) child.kill('SIGKILL');
});

/** Starts sidecar against `wsUrl` on a free loopback port; resolves to its base URL once it answers. */
async function startSidecar(wsUrl) {
  const port = await freePort();
  const child = spawn(process.execPath, [SIDECAR_MAIN], {
    env: {
      ...process.env,
      SAS_SUBSTRATE_URL: wsUrl,
      SAS_EXPRESS_BIND_HOST: '127.0.0.1',
      SAS_EXPRESS_PORT: String(port),
      SAS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  sidecars.push(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    assert.equal(child.exitCode, null, `sidecar exited early:\n${output.slice(-2000)}`);
    try {
      const r = await fetch(`${base}/node/version`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return { base, child, output: () => output };
    } catch {
      // not listening yet
    }
    assert.ok(Date.now() < deadline, `sidecar did not answer within ${START_TIMEOUT_MS} ms:\n${output.slice(-2000)}`);
    await sleep(500);
  }
}

async function get(sidecar, path) {
  const r = await fetch(`${sidecar.base}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = await r.json();
  assert.equal(r.status, 200, `GET ${path}: ${r.status} ${JSON.stringify(body).slice(0, 600)}`);
  return body;
}

const report = launchReport();

for (const network of report.networks) {
  const node = report.nodes.find((n) => n.network === network.name && n.role === 'producer');

  test(`sidecar serves ${network.name}: blocks, balances, transaction material`, async () => {
    const sidecar = await startSidecar(node.rpc);

    // The finalized head, as sidecar serves it by default, is the node's block at that height.
    const before = await rpc(node.rpc, 'chain_getHeader', [await rpc(node.rpc, 'chain_getFinalizedHead')]);
    const head = await get(sidecar, '/blocks/head');
    const after = await rpc(node.rpc, 'chain_getHeader', [await rpc(node.rpc, 'chain_getFinalizedHead')]);
    const height = Number(head.number);
    assert.ok(height >= parseInt(before.number, 16) && height <= parseInt(after.number, 16), `${height}`);
    assert.equal(head.hash, await rpc(node.rpc, 'chain_getBlockHash', [height]));
    // Every block opens with the timestamp inherent, which sidecar could not decode in format 5.
    assert.deepEqual(head.extrinsics[0].method, { pallet: 'timestamp', method: 'set' });

    // Transaction material: the chain's identity and versions, as the node reports them.
    const material = await get(sidecar, '/transaction/material');
    const version = await rpc(node.rpc, 'state_getRuntimeVersion');
    assert.equal(material.genesisHash, await rpc(node.rpc, 'chain_getBlockHash', [0]));
    assert.equal(material.genesisHash, network.genesis);
    assert.equal(Number(material.specVersion), version.specVersion);
    assert.equal(Number(material.txVersion), version.transactionVersion);
    assert.equal(material.specName, 'plexus');

    // A signed transfer: sidecar finds it in its block, decoded, signed by Alice, successful; and
    // the balances it reports at that block are the node's storage there.
    const api = await ApiPromise.create({ provider: new WsProvider(node.rpc), noInitWarn: true });
    try {
      const alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
      const amount = 1_234_567_890n;
      const blockHash = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('transfer not in a block in time')), INCLUDE_TIMEOUT_MS);
        api.tx.balances
          .transferKeepAlive(BOB, amount)
          .signAndSend(alice, ({ status, dispatchError }) => {
            if (dispatchError) {
              clearTimeout(timer);
              reject(new Error(`transfer failed: ${dispatchError.toString()}`));
            } else if (status.isInBlock) {
              clearTimeout(timer);
              resolve(status.asInBlock.toHex());
            }
          })
          .catch(reject);
      });
      const block = await get(sidecar, `/blocks/${blockHash}`);
      const transfer = block.extrinsics.find((x) => x.method.method === 'transferKeepAlive');
      assert.ok(transfer, `no transfer in ${JSON.stringify(block.extrinsics.map((x) => x.method))}`);
      assert.equal(transfer.method.pallet, 'balances');
      assert.equal(transfer.signature.signer.id, ALICE);
      assert.equal(BigInt(transfer.args.value), amount);
      assert.equal(transfer.success, true);

      for (const who of [ALICE, BOB]) {
        const info = await get(sidecar, `/accounts/${who}/balance-info?at=${blockHash}`);
        const stored = await api.query.system.account.at(blockHash, who);
        assert.equal(info.at.hash, blockHash);
        assert.equal(BigInt(info.free), stored.data.free.toBigInt(), `${who} free`);
        assert.equal(BigInt(info.reserved), stored.data.reserved.toBigInt(), `${who} reserved`);
        assert.equal(BigInt(info.nonce), stored.nonce.toBigInt(), `${who} nonce`);
      }
    } finally {
      await api.disconnect();
      sidecar.child.kill('SIGTERM');
    }
  });
}
