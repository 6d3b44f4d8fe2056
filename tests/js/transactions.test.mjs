// The headline flow through @polkadot/api on the two networks of the default topology: Alice on
// alpha asks for the Solidity escrow on beta (`eventRouter.send(beta, 'Contract', request)`);
// beta runs it on pallet-revive and its resource manager commits the outcome back on alpha as a
// record, atomically; the receipt is then read on both networks, through the runtime API and the
// `resourceManager_transaction` RPC. A reverting call is answered `Err(Reverted)` and opens no
// transaction.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { stringToHex, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { addressWord, callData, escrowCode, uintWord } from './escrow.mjs';
import {
  FINALIZE_TIMEOUT_MS,
  SS58_FORMAT,
  UNIT,
  EventLog,
  connect,
  explainDispatchError,
  loadLaunchReport,
  rawRpc,
  remoteAccount,
  signSendAndFinalize,
  withTimeout,
} from './lib.mjs';

// A request crosses the bridge twice and the commit twice more; relaying takes a few finalized
// blocks each way.
const FLOW_TIMEOUT_MS = 300_000;
const LIMITS = { weight: { refTime: 20_000_000_000, proofSize: 192 * 1024 }, deposit: 5n * UNIT };
const MAX_WEIGHT = { refTime: 60_000_000_000, proofSize: 256 * 1024 };

async function submit(api, tx, signer) {
  const { events, dispatchError } = await signSendAndFinalize(tx, signer, FINALIZE_TIMEOUT_MS);
  assert.equal(dispatchError, undefined, dispatchError && explainDispatchError(api, dispatchError));
  return events.map(({ event }) => event);
}

describe('a contract on one network whose outcome is committed on another', () => {
  let alpha;
  let beta;
  let setupError = null;
  let keyring;
  let escrowAddress;
  let alphaLog;
  let betaLog;

  before(async () => {
    try {
      await cryptoWaitReady();
      const report = loadLaunchReport();
      assert.ok(report.bridges?.length >= 1, 'launch.json lists a bridge');
      const [a, b] = report.bridges[0].between;
      const producer = (name) => report.nodes.find((n) => n.network === name && n.role === 'producer');
      alpha = await connect(producer(a).rpc);
      beta = await connect(producer(b).rpc);
      // Steps of the flow often land in one block: record everything, then wait on the record.
      alphaLog = await new EventLog(alpha).start();
      betaLog = await new EventLog(beta).start();
      keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
      const [alice, bob] = ['//Alice', '//Bob'].map((uri) => keyring.addFromUri(uri));

      // Alice deploys the escrow on beta, arbiter herself.
      const aliceH160 = (await beta.call.reviveApi.address(alice.address)).toHex();
      const salt = u8aToHex(uintWord(Date.now()));
      const deployed = await submit(
        beta,
        beta.tx.revive.instantiateWithCode(0, { refTime: 200_000_000_000, proofSize: 4 * 1024 * 1024 }, 10n * UNIT, escrowCode(aliceH160), '0x', salt),
        alice,
      );
      escrowAddress = deployed.find((e) => beta.events.revive.Instantiated.is(e)).data.contract.toHex();

      // Alice of alpha acts on beta through her remote account there: Bob funds it.
      const aliceOnBeta = remoteAccount(alpha.genesisHash.toHex(), alice.publicKey);
      await submit(beta, beta.tx.balances.transferKeepAlive(u8aToHex(aliceOnBeta), 50n * UNIT), bob);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    alphaLog?.stop();
    betaLog?.stop();
    await Promise.allSettled([alpha, beta].filter(Boolean).map((api) => withTimeout(api.disconnect(), 10_000, 'disconnect')));
  });

  /** Sends a contract request from Alice on alpha to beta; returns its message id. */
  async function request(value, commitKey) {
    const alice = keyring.addFromUri('//Alice');
    const seller = (await beta.call.reviveApi.address(keyring.addFromUri('//Charlie').address)).toHex();
    // The request's SCALE type is in the metadata: it is the argument of contractExecutor.execute.
    const requestType = alpha.tx.contractExecutor.execute.meta.args[0].type.toString();
    const payload = alpha.createType(requestType, {
      call: { Call: { contract: escrowAddress, input: callData('open(address)', addressWord(seller)), value, limits: LIMITS } },
      commit: {
        target: alpha.genesisHash.toHex(),
        deadline: { height: null, timestamp: Date.now() + 600_000 },
        apply: { Record: { key: stringToHex(commitKey) } },
      },
    });
    const destination = { V5: { parents: 1, interior: { X1: [{ GlobalConsensus: { ByGenesis: beta.genesisHash.toHex() } }] } } };
    const timeout = { height: null, timestamp: Date.now() + 600_000 };
    const events = await submit(alpha, alpha.tx.eventRouter.send(destination, 'Contract', payload.toHex(), MAX_WEIGHT, timeout), alice);
    return events.find((e) => alpha.events.eventRouter.Sent.is(e)).data.id;
  }

  const sameId = (a, b) => a.origin.toHex() === b.origin.toHex() && a.sequence.eq(b.sequence);
  const sameTx = (a, b) => a.coordinator.toHex() === b.coordinator.toHex() && a.sequence.eq(b.sequence);

  test('runs on beta, commits its outcome on alpha, and both read the receipt', async () => {
    if (setupError) throw setupError;
    const id = await request(2n * UNIT, 'deal');

    const { executed, events } = await betaLog.waitFor(
      (event, events) => (beta.events.eventRouter.Executed.is(event) && sameId(event.data.id, id) ? { executed: event, events } : undefined),
      FLOW_TIMEOUT_MS,
      'EventRouter.Executed on beta',
    );
    assert.ok(executed.data.outcome.isOk, `executed with ${executed.data.outcome.toString()}`);
    const contractRun = events.find((e) => beta.events.contractExecutor.Executed.is(e));
    assert.ok(contractRun, 'ContractExecutor.Executed on beta');
    const prepared = events.find((e) => beta.events.resourceManager.Prepared.is(e));
    assert.ok(prepared, 'ResourceManager.Prepared on beta');
    const tx = prepared.data.tx;
    assert.equal(tx.coordinator.toHex(), beta.genesisHash.toHex(), 'beta coordinates the transaction');
    assert.equal(prepared.data.target.toHex(), alpha.genesisHash.toHex());
    assert.equal(prepared.data.outcomeHash.toHex(), contractRun.data.outcomeHash.toHex(), 'the transaction carries the outcome');

    const applied = await alphaLog.waitFor(
      (event) => (alpha.events.resourceManager.Applied.is(event) && sameTx(event.data.tx, tx) ? event : undefined),
      FLOW_TIMEOUT_MS,
      'ResourceManager.Applied on alpha',
    );
    const committed = await betaLog.waitFor(
      (event) => (beta.events.resourceManager.Committed.is(event) && sameTx(event.data.tx, tx) ? event : undefined),
      FLOW_TIMEOUT_MS,
      'ResourceManager.Committed on beta',
    );
    assert.equal(committed.data.receipt.toHex(), applied.data.receipt.toHex(), 'beta committed the receipt alpha wrote');

    const acknowledged = await alphaLog.waitFor(
      (event) => (alpha.events.eventRouter.Acknowledged.is(event) && sameId(event.data.id, id) ? event : undefined),
      FLOW_TIMEOUT_MS,
      'EventRouter.Acknowledged on alpha',
    );
    assert.equal(acknowledged.data.outcome.asOk.toHex(), executed.data.outcome.asOk.toHex());

    // The receipt, read on both networks: runtime API and JSON-RPC.
    const onAlpha = await alpha.call.resourceManagerApi.transaction(tx);
    assert.ok(onAlpha.isDecided, `alpha: ${onAlpha.toString()}`);
    assert.ok(onAlpha.asDecided.status.isApplied);
    assert.equal(onAlpha.asDecided.outcomeHash.toHex(), contractRun.data.outcomeHash.toHex());
    const onBeta = await rawRpc(beta, 'resourceManager_transaction', [tx.coordinator.toHex(), tx.sequence.toNumber()]);
    assert.equal(onBeta.status, 'coordinated');
    assert.equal(onBeta.state.committed, committed.data.receipt.toHex());
    const viaRpc = await rawRpc(alpha, 'resourceManager_transaction', [tx.coordinator.toHex(), tx.sequence.toNumber()]);
    assert.equal(viaRpc.receipt.digest, committed.data.receipt.toHex(), 'the digest beta holds is the receipt alpha holds');
    assert.deepEqual(await rawRpc(beta, 'resourceManager_inDoubt', []), [], 'nothing in doubt on beta');

    // The record alpha wrote: the whole outcome, owned by beta's account for Alice.
    const aliceOnBeta = remoteAccount(alpha.genesisHash.toHex(), keyring.addFromUri('//Alice').publicKey);
    const owner = remoteAccount(beta.genesisHash.toHex(), aliceOnBeta);
    const record = await alpha.query.resourceManager.records([beta.genesisHash.toHex(), u8aToHex(owner)], stringToHex('deal'));
    assert.ok(record.isSome, 'the outcome record exists on alpha');
  });

  test('a reverting call is answered Err(Reverted) and commits nothing', async () => {
    if (setupError) throw setupError;
    const id = await request(0n, 'never');
    const { executed, events } = await betaLog.waitFor(
      (event, events) => (beta.events.eventRouter.Executed.is(event) && sameId(event.data.id, id) ? { executed: event, events } : undefined),
      FLOW_TIMEOUT_MS,
      'EventRouter.Executed on beta',
    );
    assert.ok(executed.data.outcome.isErr && executed.data.outcome.asErr.isReverted, `executed with ${executed.data.outcome.toString()}`);
    assert.ok(!events.some((e) => beta.events.resourceManager.Prepared.is(e)), 'no transaction opened');
    const acknowledged = await alphaLog.waitFor(
      (event) => (alpha.events.eventRouter.Acknowledged.is(event) && sameId(event.data.id, id) ? event : undefined),
      FLOW_TIMEOUT_MS,
      'EventRouter.Acknowledged on alpha',
    );
    assert.ok(acknowledged.data.outcome.isErr, 'alpha learns the failure');
  });
});
