// Helpers of the Ethereum-tooling tests: eth-rpc endpoints from launch.json, the development
// keys, the contract fixtures.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { loadLaunchReport } from './lib.mjs';

// The Ethereum development keys Alith and Baltathar: public by design, endowed on every launched
// network (runtime/src/genesis_config_presets.rs). Never for real funds.
export const ALITH_KEY = '0x5fb92d6e98884f76de468fa3f6278f8807c48bebc13595d45af5bdc4da702133';
export const BALTATHAR_KEY = '0x8075991ce870b93a8870eca0c0f91913d12f47948ca0fd25b49c6fa7cdbeee8b';

// Native balances have 12 decimals; the EVM shows them with 18.
export const WEI_PER_PLANCK = 10n ** 6n;
export const EXISTENTIAL_DEPOSIT = 10n ** 9n;

export const RECEIPT_TIMEOUT_MS = 120_000;

/** The eth-rpc endpoints launch.json lists (`launch --eth-rpc`), by network name. */
export function ethEndpoints() {
  const report = loadLaunchReport();
  assert.ok(
    Array.isArray(report.eth_rpc) && report.eth_rpc.length > 0,
    'launch.json lists no eth_rpc endpoint: start launch with --eth-rpc (tests/js/run.sh does when eth-rpc is built)',
  );
  return Object.fromEntries(report.eth_rpc.map((e) => [e.network, e]));
}

/** A contract fixture of contracts/fixtures: `{ abi, bytecode }`. */
export function fixture(name) {
  return JSON.parse(readFileSync(new URL(`../../contracts/fixtures/${name}.json`, import.meta.url), 'utf8'));
}

/** The account revive runs an Ethereum address's transactions as: the address, then 12 × 0xEE. */
export function ethAccountId(address) {
  return `0x${address.slice(2).toLowerCase()}${'ee'.repeat(12)}`;
}
