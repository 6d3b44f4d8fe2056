// Client tests: a stock @polkadot/api client against the networks that `plexus-node launch` runs.
//
// Input: PLEXUS_LAUNCH_JSON, the path of the launch.json that `plexus-node launch` writes once every
// network finalizes (tests/js/run.sh starts a launch and sets it). For each network the tests talk
// to one producer and to one consumer, check what the network says about itself, and finalize a
// signed balance transfer on it. Every wait is bounded; every connection is closed at the end.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';

import {
  FINALIZE_TIMEOUT_MS,
  CONSUMER_CATCH_UP_MS,
  TOKEN_DECIMALS,
  SS58_FORMAT,
  TRANSFER_AMOUNT,
  withTimeout,
  loadLaunchReport,
  connect,
  networkIdentity,
  freeBalance,
  signSendAndFinalize,
  explainDispatchError,
  waitForFinalizedNumber,
} from './lib.mjs';

describe('Plexus networks seen by @polkadot/api', () => {
  /** @type {{name: string, id: number, genesis: string, producer: object, consumer: object | undefined}[]} */
  let networks = [];
  /** Open connections, by node name. */
  const apis = new Map();
  let keyring;

  // Set-up problems (no launch.json, a node that does not answer) fail every test with the cause,
  // rather than failing a hook, so that the runner counts them as failed tests.
  let setupError = null;
  const ready = () => {
    if (setupError) throw setupError;
  };

  before(async () => {
    try {
      await cryptoWaitReady();
      keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
      const report = loadLaunchReport();
      networks = report.networks.map((n) => {
        const nodes = report.nodes.filter((node) => node.network === n.name);
        const producer = nodes.find((node) => node.role === 'producer');
        const consumer = nodes.find((node) => node.role === 'consumer');
        assert.ok(producer, `network ${n.name} has no producer in launch.json`);
        return { name: n.name, id: n.id, genesis: n.genesis, producer, consumer };
      });
      const nodes = networks.flatMap((n) => (n.consumer ? [n.producer, n.consumer] : [n.producer]));
      // Connect to every node at once; keep whatever opened so that `after` closes it.
      const results = await Promise.allSettled(
        nodes.map(async (node) => {
          apis.set(node.name, await connect(node.rpc));
        }),
      );
      const failed = results
        .map((r, i) => (r.status === 'rejected' ? `${nodes[i].name} (${nodes[i].rpc}): ${r.reason.message}` : null))
        .filter(Boolean);
      assert.deepEqual(failed, [], 'every node accepts a client connection');
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await Promise.allSettled([...apis.values()].map((api) => withTimeout(api.disconnect(), 10_000, 'disconnect')));
    apis.clear();
  });

  test('launch.json lists at least two networks', () => {
    ready();
    assert.ok(networks.length >= 2, `expected two or more networks, got ${networks.map((n) => n.name).join(', ')}`);
  });

  test('each network reports its chain, runtime, properties and identity', async (t) => {
    ready();
    for (const network of networks) {
      await t.test(network.name, async () => {
        const api = apis.get(network.producer.name);

        const chain = (await api.rpc.system.chain()).toString();
        assert.ok(chain.length > 0, 'system_chain is not empty');
        assert.match(chain, new RegExp(network.name, 'i'), `chain name ${JSON.stringify(chain)} names the network`);

        const genesis = api.genesisHash.toHex();
        assert.match(genesis, /^0x[0-9a-f]{64}$/);
        assert.equal((await api.rpc.chain.getBlockHash(0)).toHex(), genesis);
        if (network.genesis) assert.equal(genesis, network.genesis, 'genesis hash agrees with launch.json');

        assert.equal(api.runtimeVersion.specName.toString(), 'plexus');
        const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
        for (const pallet of ['System', 'Balances', 'NetworkInfo']) {
          assert.ok(pallets.includes(pallet), `runtime metadata has pallet ${pallet} (has: ${pallets.join(', ')})`);
        }
        assert.equal(typeof api.tx.balances?.transferKeepAlive, 'function', 'api.tx.balances.transferKeepAlive exists');
        assert.equal(typeof api.query.networkInfo?.network, 'function', 'api.query.networkInfo.network exists');

        assert.equal(api.registry.chainDecimals[0], TOKEN_DECIMALS);
        assert.equal(api.registry.chainTokens[0], 'PLX');
        assert.equal(api.registry.chainSS58, SS58_FORMAT);

        const identity = await networkIdentity(api);
        assert.equal(identity.networkId, network.id, 'NetworkInfoApi_identity networkId');
        assert.equal(identity.name, network.name, 'NetworkInfoApi_identity name');
        assert.ok(identity.blockTimeMs > 0n, 'block time is positive');
        assert.equal((await api.query.networkInfo.network()).toString(), String(network.id));

        if (network.consumer) {
          const consumer = apis.get(network.consumer.name);
          assert.equal((await consumer.rpc.system.chain()).toString(), chain, 'consumer: same chain name');
          assert.equal(consumer.genesisHash.toHex(), genesis, 'consumer: same genesis hash');
          assert.equal(consumer.runtimeVersion.specName.toString(), 'plexus');
          assert.deepEqual(await networkIdentity(consumer), identity, 'consumer: same identity');
        } else {
          t.diagnostic(`network ${network.name} has no consumer; consumer reads skipped`);
        }
      });
    }
  });

  test('networks have pairwise different genesis hashes', () => {
    ready();
    const byGenesis = new Map();
    for (const network of networks) {
      const genesis = apis.get(network.producer.name).genesisHash.toHex();
      assert.ok(
        !byGenesis.has(genesis),
        `networks ${byGenesis.get(genesis)} and ${network.name} share genesis ${genesis}`,
      );
      byGenesis.set(genesis, network.name);
    }
  });

  test('a signed transfer from //Alice is finalized on every network', { concurrency: true }, async (t) => {
    ready();
    // The networks finalize independently: run them side by side.
    await Promise.all(
      networks.map((network) =>
        t.test(network.name, async () => {
          const api = apis.get(network.producer.name);
          const alice = keyring.addFromUri('//Alice');
          const receiver = keyring.addFromUri(mnemonicGenerate());

          const tx = api.tx.balances.transferKeepAlive(receiver.address, TRANSFER_AMOUNT);
          const { blockHash, events, dispatchError } = await signSendAndFinalize(tx, alice, FINALIZE_TIMEOUT_MS);

          assert.equal(dispatchError, undefined, dispatchError && `dispatch failed: ${explainDispatchError(api, dispatchError)}`);
          const names = events.map(({ event }) => `${event.section}.${event.method}`);
          assert.ok(
            events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)),
            `System.ExtrinsicSuccess among the extrinsic's events (${names.join(', ')})`,
          );
          assert.ok(
            events.some(({ event }) => api.events.balances.Transfer.is(event)),
            `Balances.Transfer among the extrinsic's events (${names.join(', ')})`,
          );

          assert.equal(await freeBalance(api, blockHash, receiver.address), TRANSFER_AMOUNT, 'receiver balance (producer)');
          const header = await api.rpc.chain.getHeader(blockHash);
          const aliceBefore = await freeBalance(api, header.parentHash, alice.address);
          const aliceAfter = await freeBalance(api, blockHash, alice.address);
          assert.ok(aliceBefore - aliceAfter > TRANSFER_AMOUNT, 'Alice paid the amount and a fee');

          if (network.consumer) {
            // The consumer follows the producers: once it finalizes the same block it must agree.
            const consumer = apis.get(network.consumer.name);
            const number = header.number.toNumber();
            const hashThere = await waitForFinalizedNumber(consumer, number, CONSUMER_CATCH_UP_MS);
            assert.equal(hashThere, blockHash, `consumer finalized the same block #${number}`);
            assert.equal(await freeBalance(consumer, blockHash, receiver.address), TRANSFER_AMOUNT, 'receiver balance (consumer)');
          }
        }),
      ),
    );
  });
});
