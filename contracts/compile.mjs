// Compiles every contract in src/ with the pinned solc-js (package.json) and writes
// fixtures/<Contract>.json: the ABI, the init code pallet-revive deploys (EVM bytecode), the
// method identifiers, and the compiler settings. `--check` compiles again and fails if any
// fixture differs from what the sources give (CI runs it), without writing anything.
//
//   node compile.mjs [--check]

import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const here = path.dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');
// pallet-revive runs Cancun EVM bytecode.
const settings = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.methodIdentifiers'] } },
};

const files = readdirSync(path.join(here, 'src')).filter((f) => f.endsWith('.sol')).sort();
const sources = Object.fromEntries(files.map((f) => [f, { content: readFileSync(path.join(here, 'src', f), 'utf8') }]));
const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings })));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);

let stale = 0;
for (const file of files) {
  for (const [name, contract] of Object.entries(output.contracts[file] || {})) {
    // Interfaces have no code to deploy: their ABI is in the source.
    if (!contract.evm.bytecode.object) continue;
    const fixture = {
      contract: name,
      source: `src/${file}`,
      sourceSha256: createHash('sha256').update(sources[file].content).digest('hex'),
      compiler: `solc ${solc.version()}`,
      settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer },
      abi: contract.abi,
      methodIdentifiers: contract.evm.methodIdentifiers,
      bytecode: `0x${contract.evm.bytecode.object}`,
    };
    const target = path.join(here, 'fixtures', `${name}.json`);
    const text = `${JSON.stringify(fixture, null, 2)}\n`;
    if (check) {
      if (!existsSync(target) || readFileSync(target, 'utf8') !== text) {
        console.error(`stale: fixtures/${name}.json does not match src/${file} (run: npm run build)`);
        stale += 1;
      } else {
        console.log(`ok fixtures/${name}.json matches src/${file}`);
      }
    } else {
      writeFileSync(target, text);
      console.log(`wrote fixtures/${name}.json (${contract.evm.bytecode.object.length / 2} bytes of init code)`);
    }
  }
}
if (stale) process.exit(1);
