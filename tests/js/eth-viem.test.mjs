// viem, unchanged, against the same eth-rpc as eth.test.mjs: the other library Solidity
// developers use. One deploy and one call, each waited for by its receipt.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { createPublicClient, createWalletClient, defineChain, http, parseEther, parseEventLogs } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { BALTATHAR_KEY, RECEIPT_TIMEOUT_MS, ethEndpoints, fixture } from './eth.mjs';

describe('viem against eth-rpc', () => {
  test('deploys Escrow and opens a deal; the receipt, its log and a view agree', async () => {
    const endpoint = Object.values(ethEndpoints())[0];
    const chain = defineChain({
      id: endpoint.chain_id,
      name: `Plexus ${endpoint.network}`,
      nativeCurrency: { name: 'Plexus', symbol: 'PLX', decimals: 18 },
      rpcUrls: { default: { http: [endpoint.url] } },
    });
    const transport = http(endpoint.url, { timeout: 30_000 });
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 1_000 });
    // Baltathar: ethers' test uses Alith, so the two never race for a nonce.
    const account = privateKeyToAccount(BALTATHAR_KEY);
    const wallet = createWalletClient({ account, chain, transport });
    assert.equal(await publicClient.getChainId(), endpoint.chain_id);

    const { abi, bytecode } = fixture('Escrow');
    const deployHash = await wallet.deployContract({ abi, bytecode, args: [account.address] });
    const deployed = await publicClient.waitForTransactionReceipt({ hash: deployHash, timeout: RECEIPT_TIMEOUT_MS });
    assert.equal(deployed.status, 'success');
    const address = deployed.contractAddress;
    assert.ok(address, 'the receipt names the contract');

    const seller = '0x798d4Ba9baf0064Ec19eB4F0a1a45785ae9D6DFc'; // Charleth
    const amount = parseEther('0.5');
    const { request } = await publicClient.simulateContract({ account, address, abi, functionName: 'open', args: [seller], value: amount });
    const hash = await wallet.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS });
    assert.equal(receipt.status, 'success');
    const [opened] = parseEventLogs({ abi, logs: receipt.logs, eventName: 'Opened' });
    assert.ok(opened, 'an Opened log');
    assert.equal(opened.args.seller, seller);
    assert.equal(opened.args.amount, amount);
    assert.equal(await publicClient.readContract({ address, abi, functionName: 'stateOf', args: [opened.args.id] }), 1);
  });
});
