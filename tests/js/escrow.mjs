// The Solidity escrow fixture of contracts/ and its ABI words, shared by the contract tests.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';

export const escrow = JSON.parse(readFileSync(new URL('../../contracts/fixtures/Escrow.json', import.meta.url), 'utf8'));

/** ABI call data: the fixture's selector, then 32-byte words. */
export function callData(signature, ...words) {
  const selector = escrow.methodIdentifiers[signature];
  assert.ok(selector, `${signature} is a method of the fixture`);
  return u8aToHex(u8aConcat(hexToU8a(`0x${selector}`), ...words));
}

export function addressWord(h160) {
  const word = new Uint8Array(32);
  word.set(hexToU8a(h160), 12);
  return word;
}

export function uintWord(n) {
  const word = new Uint8Array(32);
  let v = BigInt(n);
  for (let i = 31; i >= 0 && v > 0n; i--, v >>= 8n) word[i] = Number(v & 0xffn);
  return word;
}

/** The escrow's init code followed by its constructor argument, the arbiter. */
export function escrowCode(arbiterH160) {
  return u8aToHex(u8aConcat(hexToU8a(escrow.bytecode), addressWord(arbiterH160)));
}
