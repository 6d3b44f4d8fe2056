// The cross-network check of bridge.zndsl, run by zombienet as a js-script on alpha's node.
//
// It reaches beta through beta's zombie.json (path in $PLEXUS_PEER_ZOMBIE_JSON; run.sh spawns
// beta and sets it), starts `plexus-node relay` between the two (initialising the bridge as
// //Alice; secrets go in the environment, never in arguments), sends an XCM remark from alpha to
// beta with `eventRouter.send`, and waits for, through events only:
// `EventRouter.Executed` (Ok) and `System.Remarked` on beta, then `EventRouter.Acknowledged` (Ok,
// same digest) on alpha. The relayer is killed (by pid) whatever happens. Returns 0 on success;
// throws with the reason otherwise.

'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const ROUTE_TIMEOUT_MS = 300_000;

function peerEndpoint() {
  const file = process.env.PLEXUS_PEER_ZOMBIE_JSON;
  if (!file) throw new Error('PLEXUS_PEER_ZOMBIE_JSON is not set: run this test with zombienet/run.sh');
  const peer = JSON.parse(fs.readFileSync(file, 'utf8'));
  const node = Object.values(peer.nodesByName || {})[0];
  if (!node || !node.wsUri) throw new Error(`${file}: no node with a wsUri`);
  return node.wsUri;
}

function startRelayer(alphaWs, betaWs, logFile) {
  const bin = process.env.PLEXUS_NODE;
  if (!bin) throw new Error('PLEXUS_NODE is not set');
  const log = fs.openSync(logFile, 'a');
  const args = ['relay', '--a', alphaWs, '--b', betaWs, '--names', 'alpha', 'beta', '--slot', '1'];
  // Secret URIs go in the environment, where other users cannot read them (argv they can).
  const env = { ...process.env, PLEXUS_RELAY_SIGNER: '//Ferdie', PLEXUS_RELAY_INITIALIZE_AS: '//Alice' };
  const child = spawn(bin, args, { stdio: ['ignore', log, log], env });
  fs.closeSync(log);
  return child;
}

async function run(nodeName, networkInfo) {
  const { ApiPromise, WsProvider, Keyring, util } = zombie;
  // The client helpers of tests/js (run.sh installs its packages too).
  const { firstEvent, transactProgram, withTimeout } = await import('../tests/js/lib.mjs');
  const alphaWs = networkInfo.nodesByName[nodeName].wsUri;
  const betaWs = peerEndpoint();
  const relayLog = path.join(networkInfo.tmpDir, 'relay-alpha-beta.log');
  console.log(`bridge-check: alpha ${alphaWs}, beta ${betaWs}; relayer log ${relayLog}`);

  const relayer = startRelayer(alphaWs, betaWs, relayLog);
  let relayerExit = null;
  relayer.on('exit', (code, signal) => {
    relayerExit = `relayer exited (${signal || code}); see ${relayLog}`;
  });
  const apis = [];
  try {
    await util.cryptoWaitReady();
    const alpha = await ApiPromise.create({ provider: new WsProvider(alphaWs), noInitWarn: true });
    apis.push(alpha);
    const beta = await ApiPromise.create({ provider: new WsProvider(betaWs), noInitWarn: true });
    apis.push(beta);
    if (alpha.genesisHash.eq(beta.genesisHash)) throw new Error('alpha and beta share a genesis');

    // The relayer binds the router on both ends; wait for alpha's binding before sending.
    const alphaSeesBeta = withTimeout(
      (async () => {
        for (;;) {
          if (relayerExit) throw new Error(relayerExit);
          if ((await alpha.query.eventRouter.peers(beta.genesisHash)).isSome) return;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      })(),
      ROUTE_TIMEOUT_MS,
      'the relayer to bind alpha to beta',
    );
    await alphaSeesBeta;

    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    const remark = `zombienet bridge check ${Date.now()}`;
    const destination = { V5: { parents: 1, interior: { X1: [{ GlobalConsensus: { ByGenesis: beta.genesisHash.toHex() } }] } } };
    const program = transactProgram(beta.tx.system.remarkWithEvent(remark));
    const tx = alpha.tx.eventRouter.send(destination, 'Xcm', program, { refTime: 1_000_000_000, proofSize: 65_536 }, { height: null, timestamp: Date.now() + 600_000 });
    const id = await withTimeout(
      new Promise((resolve, reject) => {
        tx.signAndSend(alice, ({ status, events, dispatchError }) => {
          if (dispatchError) reject(new Error(`send failed: ${dispatchError.toString()}`));
          if (status.isInBlock) {
            const sent = events.map(({ event }) => event).find((e) => alpha.events.eventRouter.Sent.is(e));
            if (sent) resolve(sent.data.id);
            else reject(new Error('no EventRouter.Sent'));
          }
        }).catch(reject);
      }),
      120_000,
      'eventRouter.send to be included',
    );
    console.log(`bridge-check: sent ${id.toString()}`);
    const sameId = (other) => other.origin.eq(id.origin) && other.sequence.eq(id.sequence);

    const remarkHash = util.blake2AsHex(remark);
    const { executed, events, remarked } = await withTimeout(
      firstEvent(beta, (event, events) =>
        beta.events.eventRouter.Executed.is(event) && sameId(event.data.id)
          ? { executed: event, events, remarked: events.find((e) => beta.events.system.Remarked.is(e) && e.data[1].toHex() === remarkHash) }
          : undefined,
      ),
      ROUTE_TIMEOUT_MS,
      'EventRouter.Executed on beta',
    );
    if (!executed.data.outcome.isOk) throw new Error(`beta executed it with ${executed.data.outcome.toString()}`);
    if (!remarked) {
      const seen = events.map((e) => `${e.section}.${e.method} ${JSON.stringify(e.data.toHuman())}`).join('; ');
      throw new Error(`no System.Remarked with our remark (${remarkHash}) on beta; the block had: ${seen}`);
    }
    console.log(`bridge-check: executed on beta by ${remarked.data.sender.toString()}`);

    const acknowledged = await withTimeout(
      firstEvent(alpha, (event) => (alpha.events.eventRouter.Acknowledged.is(event) && sameId(event.data.id) ? event : undefined)),
      ROUTE_TIMEOUT_MS,
      'EventRouter.Acknowledged on alpha',
    );
    const outcome = acknowledged.data.outcome;
    if (!outcome.isOk || outcome.asOk.toHex() !== executed.data.outcome.asOk.toHex()) {
      throw new Error(`alpha was acknowledged ${outcome.toString()}, beta executed ${executed.data.outcome.toString()}`);
    }
    console.log('bridge-check: acknowledged on alpha with the digest beta computed');
    return 0;
  } finally {
    relayer.kill('SIGKILL');
    await Promise.allSettled(apis.map((api) => api.disconnect()));
  }
}

module.exports = { run };
