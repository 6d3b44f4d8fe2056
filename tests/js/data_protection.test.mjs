// Data protection through @polkadot/api and the node's RPC, on one network of the default
// topology: Bob (controller) creates a policy; Charlie (subject) consents to billing; Charlie's
// data goes into the node's vault (`vault_put`, signed by Bob), and Bob registers its salted
// commitment with the vault's custody signature. Dave
// asks for billing and reads the data with a signed `vault_get`; Eve asks for research, which
// Charlie never consented to, and is rejected on the ledger and refused by the vault. The audit
// trail comes from `dataProtection_audit` and the `DataProtectionApi` runtime API. Finally Charlie
// has the record erased: `vault_erase` destroys the key and signs the attestation that
// `dataProtection.attestErasure` records, and the data can no longer be read.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a, stringToHex, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

import {
  FINALIZE_TIMEOUT_MS,
  SS58_FORMAT,
  connect,
  explainDispatchError,
  loadLaunchReport,
  rawRpc,
  signSendAndFinalize,
} from './lib.mjs';

const SECRET = 'Charlie Example, 7 Rue de la Paix, +33 1 23 45 67 89';
const VAULT_READ_CONTEXT = 'plexus/data-protection/vault-read/v2';
const VAULT_PUT_CONTEXT = 'plexus/data-protection/vault-put/v1';
const COMMITMENT_CONTEXT = 'plexus/data-protection/commitment/v1';

async function submit(api, tx, signer) {
  const { events, dispatchError } = await signSendAndFinalize(tx, signer, FINALIZE_TIMEOUT_MS);
  assert.equal(dispatchError, undefined, dispatchError && explainDispatchError(api, dispatchError));
  return events.map(({ event }) => event);
}

/** A vault read of `request` from the vault `holder`, signed by `pair`: sr25519 over
 * context ‖ SCALE(genesis, holder, request, issuedAt). */
function signedRead(api, holder, pair, request) {
  const issuedAt = Date.now();
  const read = api.registry.createType('([u8; 32], AccountId32, u64, u64)', [api.genesisHash, holder, request, issuedAt]);
  const payload = u8aConcat(stringToU8a(VAULT_READ_CONTEXT), read.toU8a());
  return [request, issuedAt, u8aToHex(pair.sign(payload))];
}

/** `vault_put` of `data` of `subject` into the vault `holder`, signed by the controller `pair`:
 * sr25519 over context ‖ SCALE(genesis, holder, subject, blake2_256(data), issuedAt). */
function signedPut(api, holder, pair, subject, data) {
  const issuedAt = Date.now();
  const put = api.registry.createType('([u8; 32], AccountId32, AccountId32, [u8; 32], u64)', [
    api.genesisHash, holder, subject, blake2AsU8a(stringToU8a(data)), issuedAt,
  ]);
  const payload = u8aConcat(stringToU8a(VAULT_PUT_CONTEXT), put.toU8a());
  return [subject, pair.address, stringToHex(data), issuedAt, u8aToHex(pair.sign(payload))];
}

describe('personal data off the ledger, access decided on it', () => {
  let api;
  let keyring;
  let who;
  let record;
  let commitment;
  let holderHex;

  before(async () => {
    await cryptoWaitReady();
    const report = loadLaunchReport();
    const producer = report.nodes.find((n) => n.role === 'producer');
    api = await connect(producer.rpc);
    keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
    who = Object.fromEntries(['Bob', 'Charlie', 'Dave', 'Eve'].map((n) => [n, keyring.addFromUri(`//${n}`)]));

    const policy = (await api.query.dataProtection.nextPolicy()).toNumber();
    const rules = [
      { purpose: stringToHex('billing'), basis: 'Consent', role: null, approver: 'Policy' },
      { purpose: stringToHex('research'), basis: 'Consent', role: null, approver: 'Policy' },
    ];
    await submit(api, api.tx.dataProtection.createPolicy(rules, 3_600_000), who.Bob);
    await submit(api, api.tx.dataProtection.grantConsent(who.Bob.address, stringToHex('billing'), null), who.Charlie);

    ({ hex: holderHex } = await rawRpc(api, 'vault_holder', []));
    const put = await rawRpc(api, 'vault_put', signedPut(api, holderHex, who.Bob, who.Charlie.address, SECRET));
    ({ commitment } = put);
    assert.equal(put.holderHex, holderHex);
    record = (await api.query.dataProtection.nextRecord()).toNumber();
    const holders = [[holderHex, { Sr25519: put.custody }]];
    // Registered under another subject than it was put for, the vault's custody does not hold.
    await assert.rejects(
      submit(api, api.tx.dataProtection.register(who.Dave.address, 'Contact', commitment, holders, Date.now() + 86_400_000, policy), who.Bob),
      /BadCustody/,
    );
    await submit(
      api,
      api.tx.dataProtection.register(who.Charlie.address, 'Contact', commitment, holders, Date.now() + 86_400_000, policy),
      who.Bob,
    );
  });

  // An open connection would keep this file's process, and the whole run, alive.
  after(async () => {
    await api?.disconnect();
  });

  test('the ledger holds a salted commitment and the holder, never the data', async () => {
    const stored = (await api.query.dataProtection.records(record)).unwrap();
    assert.equal(stored.commitment.toHex(), commitment);
    assert.equal(stored.holders[0].toHex(), holderHex);
    assert.equal(stored.subject.toString(), who.Charlie.address);
    assert.notEqual(commitment, u8aToHex(blake2AsU8a(stringToU8a(SECRET))), 'not a plain hash');
  });

  test('Dave reads under Charlie\'s consent; Eve is rejected on the ledger and refused', async () => {
    const daveRequest = (await api.query.dataProtection.nextRequest()).toNumber();
    const events = await submit(api, api.tx.dataProtection.requestAccess(record, stringToHex('billing')), who.Dave);
    const decided = events.find((e) => api.events.dataProtection.AccessDecided.is(e));
    assert.ok(decided?.data.decision.isApproved, 'approved on the ledger');

    const served = await rawRpc(api, 'vault_get', signedRead(api, holderHex, who.Dave, daveRequest));
    assert.equal(served.data, stringToHex(SECRET));
    // The salt proves the ledger's commitment.
    const recomputed = blake2AsU8a(u8aConcat(stringToU8a(COMMITMENT_CONTEXT), hexToU8a(served.salt), stringToU8a(SECRET)));
    assert.equal(u8aToHex(recomputed), commitment);
    await assert.rejects(rawRpc(api, 'vault_get', signedRead(api, holderHex, who.Eve, daveRequest)), /not signed by/);

    const eveRequest = (await api.query.dataProtection.nextRequest()).toNumber();
    const rejected = await submit(api, api.tx.dataProtection.requestAccess(record, stringToHex('research')), who.Eve);
    const decision = rejected.find((e) => api.events.dataProtection.AccessDecided.is(e)).data.decision;
    assert.ok(decision.isRejected && decision.asRejected.isNoConsent, decision.toString());
    await assert.rejects(rawRpc(api, 'vault_get', signedRead(api, holderHex, who.Eve, eveRequest)), /NotApproved/);

    const { entries: audit, next } = await rawRpc(api, 'dataProtection_audit', [record, 0]);
    assert.equal(next, null, 'one page');
    const mine = audit.filter((e) => e.request === daveRequest || e.request === eveRequest);
    const outcome = (state) => ['approved', 'rejected', 'pending'].find((k) => k in state);
    assert.deepEqual(mine.map((e) => [e.purpose, outcome(e.state)]), [['billing', 'approved'], ['research', 'rejected']]);
    assert.equal(mine[1].state.rejected, 'NoConsent');
    const [viaApi] = await api.call.dataProtectionApi.audit(record, 0, 256);
    assert.equal(viaApi.length, audit.length, 'the RPC and the runtime API agree');
    const grant = await api.call.dataProtectionApi.grant(daveRequest);
    assert.ok(grant.isOk, grant.toString());
  });

  test('erasure destroys the key and is attested on the ledger', async () => {
    await assert.rejects(rawRpc(api, 'vault_erase', [record]), /not asked/);
    await submit(api, api.tx.dataProtection.requestErasure(record), who.Charlie);
    const attestation = await rawRpc(api, 'vault_erase', [record]);
    assert.equal(attestation.holderHex, holderHex);
    const events = await submit(
      api,
      api.tx.dataProtection.attestErasure(record, holderHex, attestation.destroyedAt, { Sr25519: attestation.signature }),
      who.Charlie,
    );
    assert.ok(events.some((e) => api.events.dataProtection.RecordErased.is(e)));
    const stored = (await api.query.dataProtection.records(record)).unwrap();
    assert.ok(stored.state.isErased, stored.state.toString());
    const request = (await api.query.dataProtection.nextRequest()).toNumber();
    await submit(api, api.tx.dataProtection.requestAccess(record, stringToHex('billing')), who.Dave);
    await assert.rejects(rawRpc(api, 'vault_get', signedRead(api, holderHex, who.Dave, request)), /Erased|NotApproved/);
  });
});
