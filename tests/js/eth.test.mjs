// ethers v6, unchanged, against the first network's eth-rpc (launch --eth-rpc): what a Solidity
// developer's script does first. Balances are checked against the node's own storage, through
// @polkadot/api.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { ethers } from 'ethers';

import { ALITH_KEY, BALTATHAR_KEY, EXISTENTIAL_DEPOSIT, RECEIPT_TIMEOUT_MS, WEI_PER_PLANCK, ethAccountId, ethEndpoints, fixture } from './eth.mjs';
import { connect, loadLaunchReport, withTimeout } from './lib.mjs';

describe('ethers v6 against eth-rpc', () => {
  let endpoint;
  let provider;
  let alith;
  let baltathar;
  let api;
  let escrow;
  let setupError = null;

  before(async () => {
    try {
      const report = loadLaunchReport();
      endpoint = Object.values(ethEndpoints())[0];
      provider = new ethers.JsonRpcProvider(endpoint.url, undefined, { polling: true, pollingInterval: 1_000 });
      alith = new ethers.Wallet(ALITH_KEY, provider);
      baltathar = new ethers.Wallet(BALTATHAR_KEY, provider);
      const producer = report.nodes.find((n) => n.network === endpoint.network && n.role === 'producer');
      api = await connect(producer.rpc);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    provider?.destroy();
    if (api) await withTimeout(api.disconnect(), 10_000, 'disconnect').catch(() => {});
  });

  const wait = (tx) => withTimeout(tx.wait(), RECEIPT_TIMEOUT_MS, `the receipt of ${tx.hash}`);

  test('eth_chainId is the network\'s own, as launch.json says', async () => {
    if (setupError) throw setupError;
    const network = await provider.getNetwork();
    assert.equal(network.chainId, BigInt(endpoint.chain_id));
    const report = loadLaunchReport();
    const summary = report.networks.find((n) => n.name === endpoint.network);
    assert.equal(summary.evm_chain_id, endpoint.chain_id);
  });

  test('a balance is the account\'s spendable native balance in 18 decimals', async () => {
    if (setupError) throw setupError;
    // At one block: Ethereum block numbers are the chain's (the hashes are not).
    const head = await provider.getBlockNumber();
    const seen = await provider.getBalance(alith.address, head);
    const hash = await api.rpc.chain.getBlockHash(head);
    const account = await (await api.at(hash)).query.system.account(ethAccountId(alith.address));
    const free = account.data.free.toBigInt();
    assert.ok(free > 0n, 'Alith is endowed');
    assert.equal(seen, (free - EXISTENTIAL_DEPOSIT) * WEI_PER_PLANCK);
  });

  test('a native transfer is estimated, sent, and lands', async () => {
    if (setupError) throw setupError;
    const to = ethers.Wallet.createRandom().address;
    const value = ethers.parseEther('1.5');
    const gas = await provider.estimateGas({ from: alith.address, to, value });
    console.log(`# eth_estimateGas of a native transfer: ${gas}`);
    // Wallets send a plain transfer with 21,000 gas without asking (the runtime's GasScale).
    assert.ok(gas > 0n && gas <= 21_000n, `eth_estimateGas of a transfer: ${gas}`);
    const nonce = await provider.getTransactionCount(alith.address);
    const before = await provider.getBalance(alith.address);
    const receipt = await wait(await alith.sendTransaction({ to, value }));
    assert.equal(receipt.status, 1);
    assert.equal(await provider.getBalance(to), value);
    assert.equal(await provider.getTransactionCount(alith.address), nonce + 1);
    const spent = before - (await provider.getBalance(alith.address));
    assert.ok(spent > value, `the fee is paid on top: spent ${spent}`);
    assert.ok(spent - value <= receipt.gasUsed * receipt.gasPrice, 'no more than the receipt\'s fee');
  });

  test('Escrow deploys from its fixture; a call is mined with its log; a view answers', async () => {
    if (setupError) throw setupError;
    const { abi, bytecode } = fixture('Escrow');
    const deployed = await new ethers.ContractFactory(abi, bytecode, alith).deploy(alith.address);
    const receipt = await wait(deployed.deploymentTransaction());
    assert.equal(receipt.status, 1);
    assert.ok(receipt.contractAddress, 'the receipt names the contract');
    assert.equal(receipt.contractAddress, await deployed.getAddress());
    assert.notEqual(await provider.getCode(receipt.contractAddress), '0x');
    escrow = deployed;

    const seller = baltathar.address;
    const amount = ethers.parseEther('2');
    const opened = await wait(await escrow.open(seller, { value: amount }));
    assert.equal(opened.status, 1);
    const logs = opened.logs.map((log) => escrow.interface.parseLog(log)).filter(Boolean);
    const event = logs.find((l) => l.name === 'Opened');
    assert.ok(event, `an Opened log among ${opened.logs.length}`);
    assert.equal(event.args.id, 0n);
    assert.equal(event.args.buyer, alith.address);
    assert.equal(event.args.seller, seller);
    assert.equal(event.args.amount, amount);
    // The same log through eth_getLogs.
    const found = await provider.getLogs({ address: receipt.contractAddress, fromBlock: opened.blockNumber, toBlock: opened.blockNumber });
    assert.equal(found.length, opened.logs.length);
    assert.equal(await provider.getBalance(receipt.contractAddress), amount);
    assert.equal(await escrow.stateOf(0), 1n, 'open');
  });

  test('a reverting call is reported as a revert with its reason, and nothing is sent', async () => {
    if (setupError) throw setupError;
    assert.ok(escrow, 'the escrow of the test before');
    const nonce = await provider.getTransactionCount(alith.address);
    // Sending: ethers estimates the gas first, and the revert comes back with its data, which
    // the contract's ABI names.
    await assert.rejects(escrow.open(baltathar.address, { value: 0 }), (err) => {
      assert.equal(err.code, 'CALL_EXCEPTION', err.message);
      assert.equal(escrow.interface.parseError(err.data)?.name, 'NoPayment', err.message);
      return true;
    });
    // A static call decodes it itself.
    // Not the arbiter: the custom error carries the caller.
    await assert.rejects(
      escrow.connect(baltathar).release.staticCall(0),
      (err) => err.code === 'CALL_EXCEPTION' && err.revert?.name === 'NotArbiter' && err.revert.args[0] === baltathar.address,
    );
    assert.equal(await provider.getTransactionCount(alith.address), nonce);
    assert.equal(await escrow.stateOf(0), 1n, 'still open');
  });

  test('a transaction for another chain id, or with a used nonce, is refused and changes nothing', async () => {
    if (setupError) throw setupError;
    const to = ethers.Wallet.createRandom().address;
    const nonce = await provider.getTransactionCount(alith.address);
    const balance = await provider.getBalance(alith.address);
    const fees = await provider.getFeeData();
    const base = { to, value: ethers.parseEther('1'), gasLimit: 1_000_000n, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: 0n, type: 2 };
    const refusals = [
      ['another chain id', { ...base, nonce, chainId: BigInt(endpoint.chain_id) + 1n }],
      ['a used nonce', { ...base, nonce: nonce - 1, chainId: BigInt(endpoint.chain_id) }],
    ];
    for (const [what, tx] of refusals) {
      const raw = await alith.signTransaction(tx);
      await assert.rejects(provider.send('eth_sendRawTransaction', [raw]), (err) => {
        assert.ok(err.message.length > 0, `${what}: an error with a message`);
        console.log(`# ${what}: ${err.error?.message ?? err.message}`);
        return true;
      }, what);
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(await provider.getTransactionCount(alith.address), nonce);
    assert.equal(await provider.getBalance(alith.address), balance);
    assert.equal(await provider.getBalance(to), 0n);
  });
});
