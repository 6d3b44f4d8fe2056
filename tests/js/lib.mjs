// Helpers shared by the client tests: bounded waits, connections, signing, the launch report.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { compactToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex, u8aToString } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

export const CONNECT_TIMEOUT_MS = 60_000;
export const RPC_TIMEOUT_MS = 30_000;
export const FINALIZE_TIMEOUT_MS = 90_000;
export const CONSUMER_CATCH_UP_MS = 60_000;

export const TOKEN_DECIMALS = 12;
export const SS58_FORMAT = 42;
export const UNIT = 10n ** BigInt(TOKEN_DECIMALS);
// 1.5 PLX: well above the existential deposit (0.001 PLX).
export const TRANSFER_AMOUNT = UNIT + UNIT / 2n;

/** Rejects with a message naming `what` when `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function loadLaunchReport() {
  const path = process.env.PLEXUS_LAUNCH_JSON;
  assert.ok(
    path,
    'PLEXUS_LAUNCH_JSON is not set: point it at the launch.json of a running `plexus-node launch` ' +
      '(tests/js/run.sh does this for you)',
  );
  const report = JSON.parse(readFileSync(path, 'utf8'));
  assert.ok(Array.isArray(report.networks) && report.networks.length > 0, `${path}: no networks`);
  assert.ok(Array.isArray(report.nodes) && report.nodes.length > 0, `${path}: no nodes`);
  return report;
}

const providers = new WeakMap();

/** Opens an ApiPromise on `url`; never waits longer than CONNECT_TIMEOUT_MS. */
export async function connect(url) {
  // Reconnect every 2 s while connecting; each RPC request gives up after RPC_TIMEOUT_MS.
  const provider = new WsProvider(url, 2_000, {}, RPC_TIMEOUT_MS);
  const api = new ApiPromise({ provider, noInitWarn: true, throwOnConnect: true });
  providers.set(api, provider);
  try {
    await withTimeout(api.isReadyOrError, CONNECT_TIMEOUT_MS, `connecting to ${url}`);
  } catch (err) {
    await api.disconnect().catch(() => {});
    throw err;
  }
  return api;
}

/**
 * Calls a JSON-RPC method the API has no decorated type for (the node's own `resourceManager_*`,
 * `eventRouter_*`), on the connection of `api` (opened by `connect`); resolves with its JSON.
 */
export function rawRpc(api, method, params) {
  const provider = providers.get(api);
  assert.ok(provider, 'rawRpc needs an api opened by connect()');
  return withTimeout(provider.send(method, params), RPC_TIMEOUT_MS, method);
}

/** Calls the NetworkInfoApi runtime API and decodes (u32 networkId, Vec<u8> name, u64 blockTimeMs). */
export async function networkIdentity(api) {
  const raw = await api.rpc.state.call('NetworkInfoApi_identity', '0x');
  const [networkId, name, blockTimeMs] = api.registry.createType('(u32, Bytes, u64)', raw.toU8a(true));
  return {
    networkId: networkId.toNumber(),
    name: u8aToString(name.toU8a(true)),
    blockTimeMs: blockTimeMs.toBigInt(),
  };
}

export async function freeBalance(api, blockHash, address) {
  const apiAt = await api.at(blockHash);
  const account = await apiAt.query.system.account(address);
  return account.data.free.toBigInt();
}

/**
 * Signs and submits `tx` with `signer`; resolves once the block that includes it is finalized,
 * with that block's hash and the extrinsic's events. Rejects if the pool drops it, or on timeout.
 */
export function signSendAndFinalize(tx, signer, timeoutMs) {
  let unsubscribe = null;
  let finished = false;
  const stop = () => {
    finished = true;
    if (unsubscribe) {
      const unsub = unsubscribe;
      unsubscribe = null;
      unsub();
    }
  };
  const done = new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce: -1 }, (result) => {
      const { status } = result;
      if (status.isFinalized) {
        resolve({ blockHash: status.asFinalized.toHex(), events: result.events, dispatchError: result.dispatchError });
      } else if (status.isDropped || status.isInvalid || status.isUsurped || status.isFinalityTimeout) {
        reject(new Error(`transaction ${tx.hash.toHex()} was not finalized: status ${status.type}`));
      }
    })
      .then((unsub) => {
        unsubscribe = unsub;
        // Settled (or timed out) before the subscription handle arrived: close it now.
        if (finished) stop();
      })
      .catch(reject);
  });
  return withTimeout(done, timeoutMs, `finalization of ${tx.method.section}.${tx.method.method}`).finally(stop);
}

/** Describes a failed dispatch in words: `Module.Error` for module errors. */
export function explainDispatchError(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}: ${docs.join(' ')}`;
  }
  return dispatchError.toString();
}

/** Waits (bounded) until `api`'s node has finalized block `number`; returns its hash there. */
export async function waitForFinalizedNumber(api, number, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await api.rpc.chain.getFinalizedHead();
    const header = await api.rpc.chain.getHeader(head);
    if (header.number.toNumber() >= number) {
      return (await api.rpc.chain.getBlockHash(number)).toHex();
    }
    if (Date.now() > deadline) {
      throw new Error(`block #${number} not finalized within ${timeoutMs} ms (finalized head #${header.number})`);
    }
    await sleep(1_000);
  }
}

/**
 * A routed XCM program, as the `payload` of `eventRouter.send(_, 'Xcm', …)`: the SCALE bytes of
 * `VersionedXcm::V5([Transact { SovereignAccount, None, call }, ExpectTransactStatus(Success)])`.
 * The call runs on the destination as the sender's remote account, and a failing call fails the
 * request. The runtime's `xcm_config::remark_program` makes the same bytes (a Rust test pins
 * them), since the runtime's metadata does not describe `VersionedXcm`.
 */
export function transactProgram(call) {
  const encoded = call.method.toU8a();
  // Hex, not a Uint8Array: @polkadot/api reads a Uint8Array given for `Bytes` as already
  // length-prefixed.
  return u8aToHex(
    u8aConcat(new Uint8Array([0x05, 0x08, 0x06, 0x01, 0x00]), compactToU8a(encoded.length), encoded, new Uint8Array([0x20, 0x00])),
  );
}

/**
 * Resolves with the first event of `api` for which `pick(event, eventsOfItsBlock)` returns
 * something, and stops listening.
 */
export function firstEvent(api, pick) {
  let unsubscribe = null;
  const found = new Promise((resolve, reject) => {
    api.query.system
      .events((records) => {
        const events = records.map(({ event }) => event);
        for (const event of events) {
          const value = pick(event, events);
          if (value !== undefined) resolve(value);
        }
      })
      .then((unsub) => {
        unsubscribe = unsub;
      })
      .catch(reject);
  });
  return found.finally(() => unsubscribe && unsubscribe());
}

/**
 * The account that acts on a network for `accountId` (32 bytes, hex or u8a) of the network
 * whose genesis hash is `genesisHash`: the account XCM derives for
 * `../GlobalConsensus(ByGenesis(genesis))/AccountId32(id)` (ExternalConsensusLocationsConverterFor),
 * as which routed XCM programs, contract requests and resource-manager commits run. A Rust test
 * (runtime/src/tests/transactions.rs) pins this byte layout against the runtime's own converter.
 */
export function remoteAccount(genesisHash, accountId) {
  return blake2AsU8a(
    u8aConcat(
      stringToU8a('glblcnsnss'),
      new Uint8Array([0x00]), // NetworkId::ByGenesis
      hexToU8a(typeof genesisHash === 'string' ? genesisHash : u8aToHex(genesisHash)),
      new Uint8Array([0x04, 0x01, 0x00]), // one junction: AccountId32 { network: None, .. }
      typeof accountId === 'string' ? hexToU8a(accountId) : accountId,
    ),
  );
}

/**
 * Every event `api`'s node reports from `start()` on, block by block, so that a test can wait for
 * an event that may already have happened (several steps of a flow often land in one block).
 */
export class EventLog {
  constructor(api) {
    this.api = api;
    this.blocks = [];
    this.waiters = new Set();
    this.unsubscribe = null;
  }

  async start() {
    this.unsubscribe = await this.api.query.system.events((records) => {
      const events = records.map(({ event }) => event);
      this.blocks.push(events);
      for (const waiter of [...this.waiters]) waiter(events);
    });
    return this;
  }

  /** Resolves with the first `pick(event, eventsOfItsBlock)` that is not undefined, seen or to come. */
  waitFor(pick, timeoutMs, what) {
    const search = (events) => {
      for (const event of events) {
        const value = pick(event, events);
        if (value !== undefined) return { value };
      }
      return undefined;
    };
    for (const events of this.blocks) {
      const found = search(events);
      if (found) return Promise.resolve(found.value);
    }
    let waiter;
    const found = new Promise((resolve) => {
      waiter = (events) => {
        const hit = search(events);
        if (hit) {
          this.waiters.delete(waiter);
          resolve(hit.value);
        }
      };
      this.waiters.add(waiter);
    });
    return withTimeout(found, timeoutMs, what).finally(() => this.waiters.delete(waiter));
  }

  stop() {
    if (this.unsubscribe) this.unsubscribe();
    this.unsubscribe = null;
  }
}
