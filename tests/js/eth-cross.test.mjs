// Cross-network from Solidity, through Ethereum tooling only on the sending side: Alith deploys
// the Notary (contracts/src/Notary.sol) on the first network with ethers, and notarizes a
// document on the second as an Ethereum transaction. The contract's call goes through the
// resource-manager precompile, which opens an atomic transaction whose commit request the router
// carries over the bridge. Asserted through eth-rpc on the first network (receipts, logs, the
// contract's view of the transaction), through the router's and the resource manager's events on
// both, the record written on the second, and the second's eth-rpc serving that chain.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { u8aToHex } from '@polkadot/util';
import { ethers } from 'ethers';

import { ALITH_KEY, RECEIPT_TIMEOUT_MS, ethAccountId, ethEndpoints, fixture } from './eth.mjs';
import { EventLog, connect, loadLaunchReport, remoteAccount, withTimeout } from './lib.mjs';

// A commit crosses the bridge twice (request, then acknowledgement), a few finalized blocks each.
const FLOW_TIMEOUT_MS = 240_000;

describe('a Solidity contract on one network commits a record on another, sent from ethers', () => {
  let alpha;
  let beta;
  let alphaLog;
  let betaLog;
  let provider;
  let betaProvider;
  let alith;
  let names;
  let setupError = null;

  before(async () => {
    try {
      const report = loadLaunchReport();
      assert.ok(report.bridges?.length >= 1, 'launch.json lists a bridge');
      names = report.bridges[0].between;
      const endpoints = ethEndpoints();
      for (const name of names) assert.ok(endpoints[name], `eth-rpc serves ${name}`);
      const producer = (name) => report.nodes.find((n) => n.network === name && n.role === 'producer');
      alpha = await connect(producer(names[0]).rpc);
      beta = await connect(producer(names[1]).rpc);
      alphaLog = await new EventLog(alpha).start();
      betaLog = await new EventLog(beta).start();
      provider = new ethers.JsonRpcProvider(endpoints[names[0]].url, undefined, { pollingInterval: 1_000 });
      betaProvider = new ethers.JsonRpcProvider(endpoints[names[1]].url, undefined, { pollingInterval: 1_000 });
      alith = new ethers.Wallet(ALITH_KEY, provider);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    alphaLog?.stop();
    betaLog?.stop();
    provider?.destroy();
    betaProvider?.destroy();
    await Promise.allSettled([alpha, beta].filter(Boolean).map((api) => withTimeout(api.disconnect(), 10_000, 'disconnect')));
  });

  const wait = (tx) => withTimeout(tx.wait(), RECEIPT_TIMEOUT_MS, `the receipt of ${tx.hash}`);

  test('the transaction opens on the first, applies on the second, commits, and the contract sees it', async () => {
    if (setupError) throw setupError;
    const { abi, bytecode } = fixture('Notary');
    // Its own balance pays the commit's fee.
    const deployed = await new ethers.ContractFactory(abi, bytecode, alith).deploy({ value: ethers.parseEther('50') });
    const deployment = await wait(deployed.deploymentTransaction());
    assert.equal(deployment.status, 1);
    const notary = deployed;
    const notaryAddress = deployment.contractAddress;

    const target = beta.genesisHash.toHex();
    const document = ethers.keccak256(ethers.toUtf8Bytes(`plexus eth-cross ${Date.now()}`));
    assert.equal(await notary.stateOf(document), 0n, 'never notarized');
    const receipt = await wait(await notary.notarize(target, document, BigInt(Date.now() + 600_000)));
    assert.equal(receipt.status, 1);
    const notarizing = receipt.logs.map((log) => notary.interface.parseLog(log)).find((l) => l?.name === 'Notarizing');
    assert.ok(notarizing, 'a Notarizing log');
    assert.equal(notarizing.args.document, document);
    assert.equal(notarizing.args.target, target);
    assert.equal(await notary.stateOf(document), 1n, 'in doubt until the second network answers');

    // The first network opened it: the contract's account is the initiator.
    const notaryAccount = ethAccountId(notaryAddress);
    const prepared = await alphaLog.waitFor(
      (event) => (alpha.events.resourceManager.Prepared.is(event) && event.data.initiator.toHex() === notaryAccount ? event : undefined),
      FLOW_TIMEOUT_MS,
      'ResourceManager.Prepared on the first network',
    );
    const tx = prepared.data.tx;
    assert.equal(tx.sequence.toBigInt(), notarizing.args.transaction);
    assert.equal(prepared.data.target.toHex(), target);
    const sameTx = (a) => a.coordinator.toHex() === tx.coordinator.toHex() && a.sequence.eq(tx.sequence);

    // Carried by the router; applied on the second network.
    const message = prepared.data.message;
    const sameMessage = (id) => id.origin.toHex() === message.origin.toHex() && id.sequence.eq(message.sequence);
    await betaLog.waitFor((event) => (beta.events.eventRouter.Executed.is(event) && sameMessage(event.data.id) ? event : undefined), FLOW_TIMEOUT_MS, 'EventRouter.Executed on the second network');
    const applied = await betaLog.waitFor((event) => (beta.events.resourceManager.Applied.is(event) && sameTx(event.data.tx) ? event : undefined), FLOW_TIMEOUT_MS, 'ResourceManager.Applied on the second network');
    // There, the contract acts as its account for the first network (XCM's location converter).
    const notaryThere = u8aToHex(remoteAccount(alpha.genesisHash.toHex(), notaryAccount));
    assert.equal(applied.data.initiator.toHex(), notaryThere, 'the initiator is the contract, as seen there');
    const committed = await alphaLog.waitFor((event) => (alpha.events.resourceManager.Committed.is(event) && sameTx(event.data.tx) ? event : undefined), FLOW_TIMEOUT_MS, 'ResourceManager.Committed on the first network');
    await alphaLog.waitFor((event) => (alpha.events.eventRouter.Acknowledged.is(event) && sameMessage(event.data.id) ? event : undefined), FLOW_TIMEOUT_MS, 'EventRouter.Acknowledged on the first network');
    assert.ok(committed.data.receipt.toHex() !== `0x${'00'.repeat(32)}`);

    // Through eth-rpc again: the contract sees its transaction committed.
    assert.equal(await notary.stateOf(document), 2n, 'committed');

    // The record on the second network: the document, written by Alith, owned there by the
    // Notary's account of the first network.
    const record = await beta.query.resourceManager.records([alpha.genesisHash.toHex(), notaryThere], document);
    assert.ok(record.isSome, 'the record exists on the second network');
    assert.equal(record.unwrap().toHex(), alith.address.toLowerCase());

    // The second network's eth-rpc serves that chain, under its own chain id.
    assert.equal((await betaProvider.getNetwork()).chainId, BigInt(ethEndpoints()[names[1]].chain_id));
    const betaHead = await betaProvider.getBlockNumber();
    assert.ok(betaHead >= 1, `the second network's eth-rpc follows its chain (#${betaHead})`);
  });
});
