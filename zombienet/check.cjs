// Validates zombienet tests and the network configs they name, without spawning anything:
// each .zndsl goes through zombienet's own DSL parser, each config through zombienet's config
// reader and network-spec generator (the steps `zombienet test` takes before it starts nodes).
//
//   node check.cjs [TEST.zndsl ...]     (default: every *.zndsl in this directory)

'use strict';

const fs = require('fs');
const path = require('path');
const { Environment } = require('nunjucks');
const parser = require('@zombienet/dsl-parser-wrapper');
const { readNetworkConfig } = require('@zombienet/utils');

// The spec generator numbers repeated node names across calls (alice, alice-1, …): load a fresh
// copy of it for every config.
function freshGenerateNetworkSpec() {
  const id = require.resolve('@zombienet/orchestrator/dist/configGenerator');
  delete require.cache[id];
  return require(id).generateNetworkSpec;
}

// Nodes are named after dev accounts, whose keys zombienet inserts.
const KNOWN_NODES = ['alice', 'bob', 'charlie', 'dave', 'eve', 'ferdie'];

async function checkTest(file) {
  const testPath = path.resolve(__dirname, file);
  const base = path.dirname(testPath);
  // `zombienet test` renders the test with the environment before parsing it.
  const content = new Environment().renderString(fs.readFileSync(testPath, 'utf8'), process.env);
  const peer = /^# Peer: *(.+)$/m.exec(content);
  if (peer) {
    const peerPath = path.resolve(base, peer[1].trim());
    if (!fs.existsSync(peerPath)) throw new Error(`${file}: its peer ${peer[1]} does not exist`);
    const peerIdentity = readNetworkConfig(peerPath).relaychain?.genesis?.runtimeGenesis?.patch?.networkInfo;
    if (!peerIdentity) throw new Error(`${peer[1]}: no networkInfo`);
  }
  const def = JSON.parse(parser.parse_to_json(content));
  if (!def.network) throw new Error(`${file}: no "Network:" line`);
  if (!def.creds) throw new Error(`${file}: no "Creds:" line`);

  const configPath = path.resolve(base, def.network);
  const config = readNetworkConfig(configPath);
  if (config.settings?.provider !== 'native') throw new Error(`${def.network}: settings.provider is not "native"`);
  if (config.relaychain?.chain !== 'local') throw new Error(`${def.network}: relaychain.chain is not "local"`);
  const identity = config.relaychain?.genesis?.runtimeGenesis?.patch?.networkInfo;
  if (!identity || !Number.isInteger(identity.networkId) || typeof identity.name !== 'string') {
    throw new Error(`${def.network}: no [relaychain.genesis.runtimeGenesis.patch.networkInfo] with networkId and name`);
  }

  const spec = await freshGenerateNetworkSpec()(config);
  const nodes = spec.relaychain.nodes;
  const names = nodes.map((n) => n.name);
  const validators = nodes.filter((n) => n.validator).map((n) => n.name);
  const expect = (cond, what) => {
    if (!cond) throw new Error(`${def.network}: ${what}`);
  };
  // alice is an authority everywhere: the presets make //Alice the sudo key the tests use.
  expect(validators.includes('alice'), `alice is not a validator (validators: ${validators.join(', ')})`);
  expect(new Set(names).size === names.length, `node names repeat: ${names.join(', ')}`);
  expect(names.every((n) => KNOWN_NODES.includes(n)), `nodes are ${names.join(', ')}; known: ${KNOWN_NODES.join(', ')}`);

  for (const a of def.assertions) {
    const node = a.parsed.args.node_name;
    if (node && !names.includes(node)) throw new Error(`${file}: "${a.original_line}" names unknown node ${node}`);
  }
  console.log(
    `ok ${file}: ${def.assertions.length} assertions; ${def.network}: network ${identity.networkId} ` +
      `"${identity.name}", nodes ${names.join(', ')} (validators ${validators.join(', ')}), ` +
      `command ${spec.relaychain.defaultCommand}`,
  );
  return identity;
}

(async () => {
  let files = process.argv.slice(2);
  if (files.length === 0) files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.zndsl')).sort();
  const seen = new Map();
  let failed = 0;
  for (const file of files) {
    try {
      const { networkId, name } = await checkTest(file);
      for (const [other, id] of seen) {
        if (other !== name && id === networkId) throw new Error(`networks "${other}" and "${name}" share id ${id}`);
      }
      seen.set(name, networkId);
    } catch (err) {
      failed += 1;
      console.error(`not ok ${file}: ${err.message || err}`);
    }
  }
  if (failed) process.exit(1);
})();
