// A routed request seen by @polkadot/api through events only: `eventRouter.send` on the first
// network of launch.json, `EventRouter.Executed` on the second, `EventRouter.Acknowledged` back
// on the first. Needs the bridge of the default topology (tests/js/run.sh launches it).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { FINALIZE_TIMEOUT_MS, SS58_FORMAT, connect, explainDispatchError, loadLaunchReport, signSendAndFinalize, withTimeout } from './lib.mjs';

// Relaying takes a few finalized blocks each way.
const ROUTE_TIMEOUT_MS = 240_000;

/** Resolves with the first event of `api` for which `pick` returns something. */
function firstEvent(api, pick) {
  let unsubscribe = null;
  const found = new Promise((resolve, reject) => {
    api.query.system
      .events((records) => {
        for (const { event } of records) {
          const value = pick(event);
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

describe('a request routed between two networks', () => {
  let alpha;
  let beta;
  let setupError = null;

  before(async () => {
    try {
      await cryptoWaitReady();
      const report = loadLaunchReport();
      assert.ok(report.bridges?.length >= 1, 'launch.json lists a bridge');
      const [a, b] = report.bridges[0].between;
      const producer = (name) => report.nodes.find((n) => n.network === name && n.role === 'producer');
      alpha = await connect(producer(a).rpc);
      beta = await connect(producer(b).rpc);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await Promise.allSettled([alpha, beta].filter(Boolean).map((api) => withTimeout(api.disconnect(), 10_000, 'disconnect')));
  });

  test('is executed on the destination and acknowledged back to its origin', async () => {
    if (setupError) throw setupError;
    const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
    const alice = keyring.addFromUri('//Alice');
    const destination = {
      V5: { parents: 1, interior: { X1: [{ GlobalConsensus: { ByGenesis: beta.genesisHash.toHex() } }] } },
    };
    const timeout = { height: null, timestamp: Date.now() + 600_000 };
    const tx = alpha.tx.eventRouter.send(destination, 'Xcm', '0x000102', { refTime: 0, proofSize: 0 }, timeout);
    const { events, dispatchError } = await signSendAndFinalize(tx, alice, FINALIZE_TIMEOUT_MS);
    assert.equal(dispatchError, undefined, dispatchError && `send failed: ${explainDispatchError(alpha, dispatchError)}`);

    const sent = events.map(({ event }) => event).find((event) => alpha.events.eventRouter.Sent.is(event));
    assert.ok(sent, 'EventRouter.Sent among the extrinsic events');
    const id = sent.data.id;
    assert.equal(id.origin.toHex(), alpha.genesisHash.toHex(), 'the id names the origin network');
    assert.equal(sent.data.destination.toHex(), beta.genesisHash.toHex());
    const sameId = (other) => other.origin.toHex() === id.origin.toHex() && other.sequence.eq(id.sequence);

    const executed = await withTimeout(
      firstEvent(beta, (event) => (beta.events.eventRouter.Executed.is(event) && sameId(event.data.id) ? event : undefined)),
      ROUTE_TIMEOUT_MS,
      'EventRouter.Executed on the destination',
    );
    // The destination serves no service yet: it answers the request with ServiceUnavailable.
    assert.equal(executed.data.outcome.asErr.type, 'ServiceUnavailable');

    const acknowledged = await withTimeout(
      firstEvent(alpha, (event) =>
        alpha.events.eventRouter.Acknowledged.is(event) && sameId(event.data.id) ? event : undefined,
      ),
      ROUTE_TIMEOUT_MS,
      'EventRouter.Acknowledged on the origin',
    );
    assert.equal(acknowledged.data.outcome.asErr.type, 'ServiceUnavailable');
    const status = await alpha.query.eventRouter.settled(id);
    assert.ok(status.isSome, 'the message is settled on the origin');
  });
});
