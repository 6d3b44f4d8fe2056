// The Solidity escrow of contracts/ through @polkadot/api, as a polkadot.js apps user would run
// it on a launched network: `revive.instantiateWithCode` with the committed EVM fixture,
// `revive.call` to open and release a deal, and the `ReviveApi` runtime API to dry-run views.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { addressWord, callData, escrowCode, uintWord } from './escrow.mjs';
import { FINALIZE_TIMEOUT_MS, SS58_FORMAT, UNIT, connect, explainDispatchError, loadLaunchReport, signSendAndFinalize } from './lib.mjs';

const WEIGHT_LIMIT = { refTime: 200_000_000_000, proofSize: 4 * 1024 * 1024 };
const DEPOSIT_LIMIT = 10n * UNIT;

async function submit(api, tx, signer) {
  const { events, dispatchError } = await signSendAndFinalize(tx, signer, FINALIZE_TIMEOUT_MS);
  assert.equal(dispatchError, undefined, dispatchError && explainDispatchError(api, dispatchError));
  return events.map(({ event }) => event);
}

describe('the Solidity escrow on a Plexus network', () => {
  let api;
  let setupError = null;

  before(async () => {
    try {
      await cryptoWaitReady();
      const report = loadLaunchReport();
      const producer = report.nodes.find((n) => n.role === 'producer');
      api = await connect(producer.rpc);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    if (api) await api.disconnect();
  });

  test('deploys, takes a payment, and pays the seller when the arbiter releases it', async () => {
    if (setupError) throw setupError;
    const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
    const [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map((uri) => keyring.addFromUri(uri));
    const h160 = async (pair) => (await api.call.reviveApi.address(pair.address)).toHex();
    const [aliceH160, charlieH160] = [await h160(alice), await h160(charlie)];

    // Alice deploys it, arbiter herself: init code, then the constructor's argument.
    const code = escrowCode(aliceH160);
    const salt = u8aToHex(uintWord(Date.now()));
    const deployed = await submit(api, api.tx.revive.instantiateWithCode(0, WEIGHT_LIMIT, DEPOSIT_LIMIT, code, '0x', salt), alice);
    const instantiated = deployed.find((e) => api.events.revive.Instantiated.is(e));
    assert.ok(instantiated, 'Revive.Instantiated');
    const contract = instantiated.data.contract.toHex();

    const view = async (data) => {
      const result = await api.call.reviveApi.call(charlie.address, contract, 0, null, null, data);
      assert.ok(result.result.isOk, `view failed: ${result.result.toString()}`);
      return result.result.asOk.data.toU8a(true);
    };
    assert.equal(u8aToHex(await view(callData('arbiter()'))), u8aToHex(addressWord(aliceH160)));

    // Bob pays 2 UNIT into deal 0 for Charlie.
    const opened = await submit(api, api.tx.revive.call(contract, 2n * UNIT, WEIGHT_LIMIT, DEPOSIT_LIMIT, callData('open(address)', addressWord(charlieH160))), bob);
    assert.ok(opened.some((e) => api.events.revive.ContractEmitted.is(e)), 'the escrow logged Opened');
    assert.equal((await view(callData('stateOf(uint256)', uintWord(0))))[31], 1, 'open');

    const before = (await api.query.system.account(charlie.address)).data.free.toBigInt();
    await submit(api, api.tx.revive.call(contract, 0, WEIGHT_LIMIT, DEPOSIT_LIMIT, callData('release(uint256)', uintWord(0))), alice);
    assert.equal((await view(callData('stateOf(uint256)', uintWord(0))))[31], 2, 'released');
    const after = (await api.query.system.account(charlie.address)).data.free.toBigInt();
    assert.equal(after - before, 2n * UNIT, 'Charlie was paid');
  });
});
