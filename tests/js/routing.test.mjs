// A routed request seen by @polkadot/api through events only: `eventRouter.send` of an XCM
// remark on the first network of launch.json; `EventRouter.Executed` and `System.Remarked` on the
// second; `EventRouter.Acknowledged` back on the first. Needs the bridge of the default topology (tests/js/run.sh launches it).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';

import { FINALIZE_TIMEOUT_MS, SS58_FORMAT, connect, explainDispatchError, loadLaunchReport, firstEvent, signSendAndFinalize, transactProgram, withTimeout } from './lib.mjs';

// Relaying takes a few finalized blocks each way.
const ROUTE_TIMEOUT_MS = 240_000;

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
    // A remark on beta, made by Alice's remote account there.
    const remark = `routed from alpha at ${Date.now()}`;
    const program = transactProgram(beta.tx.system.remarkWithEvent(remark));
    const maxWeight = { refTime: 1_000_000_000, proofSize: 65_536 };
    const tx = alpha.tx.eventRouter.send(destination, 'Xcm', program, maxWeight, timeout);
    const { events, dispatchError } = await signSendAndFinalize(tx, alice, FINALIZE_TIMEOUT_MS);
    assert.equal(dispatchError, undefined, dispatchError && `send failed: ${explainDispatchError(alpha, dispatchError)}`);

    const sent = events.map(({ event }) => event).find((event) => alpha.events.eventRouter.Sent.is(event));
    assert.ok(sent, 'EventRouter.Sent among the extrinsic events');
    const id = sent.data.id;
    assert.equal(id.origin.toHex(), alpha.genesisHash.toHex(), 'the id names the origin network');
    assert.equal(sent.data.destination.toHex(), beta.genesisHash.toHex());
    const sameId = (other) => other.origin.toHex() === id.origin.toHex() && other.sequence.eq(id.sequence);

    const remarkHash = blake2AsHex(remark);
    const { executed, remarked } = await withTimeout(
      firstEvent(beta, (event, events) =>
        beta.events.eventRouter.Executed.is(event) && sameId(event.data.id)
          ? { executed: event, remarked: events.find((e) => beta.events.system.Remarked.is(e) && e.data[1].toHex() === remarkHash) }
          : undefined,
      ),
      ROUTE_TIMEOUT_MS,
      'EventRouter.Executed on the destination',
    );
    assert.ok(executed.data.outcome.isOk, `executed with ${executed.data.outcome.toString()}`);
    assert.ok(remarked, 'System.Remarked with our remark on beta');
    assert.notEqual(remarked.data.sender.toString(), alice.address, 'made by the remote account, not by beta\'s Alice');

    const acknowledged = await withTimeout(
      firstEvent(alpha, (event) =>
        alpha.events.eventRouter.Acknowledged.is(event) && sameId(event.data.id) ? event : undefined,
      ),
      ROUTE_TIMEOUT_MS,
      'EventRouter.Acknowledged on the origin',
    );
    assert.ok(acknowledged.data.outcome.isOk, `acknowledged with ${acknowledged.data.outcome.toString()}`);
    assert.equal(acknowledged.data.outcome.asOk.toHex(), executed.data.outcome.asOk.toHex(), 'the ack carries the digest beta computed');
    const status = await alpha.query.eventRouter.settled(id);
    assert.ok(status.isSome, 'the message is settled on the origin');
  });
});
