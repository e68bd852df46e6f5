// Runs the official Lark Node SDK (@larksuiteoapi/node-sdk 1.74.0) against
// mock_feishu: discovery, WebSocket, pong-driven ClientConfig, a single and a
// 2-part event through its EventDispatcher, and the mock's record of the
// SDK's ACKs. Exit 0 = faithful, 1 = a difference (printed).
'use strict';

const { spawn } = require('child_process');
const http = require('http');
const lark = require('@larksuiteoapi/node-sdk');

const APP = 'cli_a1b2c3d4e5f60718'; // the SDK insists on cli_ + 16 hex digits
const SECRET = 'secret_test';
const mockPath = process.argv[2];
let mock = null;
let client = null;

function finish(code, msg) {
  if (msg) console[code ? 'error' : 'log'](msg);
  try { if (client) client.close({ force: true }); } catch (e) { /* closing anyway */ }
  if (mock) mock.kill('SIGTERM');
  process.exit(code);
}
const guard = setTimeout(() => finish(1, 'FAIL: no result within 60 s'), 60000);

function call(method, url, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? '' : JSON.stringify(body);
    const req = http.request(url, { method, headers: { 'content-type': 'application/json',
                                                        'content-length': Buffer.byteLength(data) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { text += c; });
        res.on('end', () => {
          try { resolve({ status: res.statusCode, json: JSON.parse(text) }); }
          catch (e) { reject(new Error(`${method} ${url}: not JSON: ${text}`)); }
        });
      });
    req.on('error', reject);
    req.end(data);
  });
}

function firstLine(stream) {
  return new Promise((resolve, reject) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (c) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    stream.on('end', () => reject(new Error('mock_feishu exited before announcing its URL')));
  });
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

async function main() {
  mock = spawn(mockPath, ['--app', `${APP}:${SECRET}`, '--ping-interval', '1',
                          '--reconnect-interval', '1', '--reconnect-nonce', '0'],
               { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await firstLine(mock.stdout);
  const base = line.slice(line.indexOf(' listening on ') + 14);
  const wait = async (kind, count) => {
    const r = await call('GET', `${base}/_mock/wait?kind=${kind}&count=${count}&timeout_ms=15000`);
    check(r.status === 200, `mock never saw ${count} ${kind}: ${JSON.stringify(r.json)}`);
  };

  const received = [];
  let gotBoth;
  const both = new Promise((r) => { gotBoth = r; });
  const dispatcher = new lark.EventDispatcher({}).register({
    'im.message.receive_v1': async (data) => {
      received.push(data);
      if (received.length === 2) gotBoth();
    },
  });
  client = new lark.WSClient({ appId: APP, appSecret: SECRET, domain: base,
                               loggerLevel: lark.LoggerLevel.warn });
  client.start({ eventDispatcher: dispatcher });
  await wait('connections', 1);

  await call('POST', `${base}/_mock/push`, { app_id: APP, text: 'single frame',
                                              message_id: 'om_sdk_1', event_id: 'evt_sdk_1' });
  await call('POST', `${base}/_mock/push`, { app_id: APP, text: 'two frames', parts: 2,
                                              message_id: 'om_sdk_2', event_id: 'evt_sdk_2' });
  await both;
  const texts = received.map((d) => JSON.parse(d.message.content).text);
  check(received[0].message.message_id === 'om_sdk_1' && texts[0] === 'single frame',
        `first event: ${JSON.stringify(received[0])}`);
  check(received[1].message.message_id === 'om_sdk_2' && texts[1] === 'two frames',
        `2-part event: ${JSON.stringify(received[1])}`);

  await wait('acks', 2);
  const acks = (await call('GET', `${base}/_mock/acks`)).json.acks;
  check(acks.length === 2, `expected 2 ACKs, got ${acks.length}`);
  acks.forEach((a, i) => {
    // The Node SDK sends biz_rt = start - end (<= 0, spec §9.1); the mock flags
    // a negative value, everything else must be exact.
    const others = a.problems.filter((p) => !p.includes('biz_rt'));
    check(a.code === 200, `ACK ${i} code ${a.code}`);
    check(others.length === 0, `ACK ${i} problems: ${others.join('; ')}`);
    check(a.event_id === `evt_sdk_${i + 1}`, `ACK ${i} is for ${a.event_id}`);
  });

  // The SDK pinged at once; a second ping within seconds proves it applied
  // the PingInterval of 1 s from our pong (its default is 120 s).
  await wait('pongs', 1);
  await wait('pings', 2);
  const stats = (await call('GET', `${base}/_mock/stats`)).json;
  check(stats.bad_pings === 0, `bad pings: ${stats.bad_pings}`);
  check(stats.acks_invalid === acks.filter((a) => !a.valid).length, 'ACK counters disagree');
  clearTimeout(guard);
  finish(0, `sdk faithfulness: ok (2 events, 2 ACKs code 200, biz_rt ${acks.map((a) => a.biz_rt).join('/')}, ` +
            `${stats.pings} pings)`);
}

main().catch((e) => finish(1, `FAIL: ${e.message}`));
