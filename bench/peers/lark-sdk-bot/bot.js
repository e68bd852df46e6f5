// Baseline peer for the load benchmark: the bot an operator would otherwise
// write on the official Lark Node SDK (@larksuiteoapi/node-sdk 1.74.0).
//
//   node bot.js <config.json>
//
// config: {"feishu_url","ark_url","ark_key","model","max_concurrency"?=16,
//          "request_timeout_ms"?=30000, "system_prompt"?,
//          "accounts":[{"app_id","app_secret"}, ...]}
//
// Per account: one lark.WSClient (long connection) and one lark.Client (REST).
// For every im.message.receive_v1 it asks the Ark provider for a non-streaming
// chat completion and replies to the message with the answer. The event
// handler only *starts* that work and returns at once, so the SDK ACKs the
// frame right away (it ACKs when the handler's promise settles).
//
// stdout carries exactly one line, `lark-sdk-bot started N accounts`; every
// diagnostic goes to stderr, rate-limited, and nothing is printed per event.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const util = require('util');
const lark = require('@larksuiteoapi/node-sdk');

// ---------------------------------------------------------------- logging --
// The SDK's default logger writes errors with console.log, i.e. to stdout, and
// dumps whole axios errors. Ours writes to stderr, at most a few lines per
// window, and counts the rest.
const LOG_WINDOW_MS = 10000;
const LOG_LINES_PER_WINDOW = 5;
let logWindowStart = 0;
let logLinesInWindow = 0;
let logSuppressed = 0;

function describe(x) {
  if (x instanceof Error) {
    const status = x.response && x.response.status ? ` (HTTP ${x.response.status})` : '';
    return `${x.message}${status}`;
  }
  if (typeof x === 'string') return x;
  return util.inspect(x, { depth: 2, breakLength: Infinity });
}

function logLine(level, parts) {
  const now = Date.now();
  if (now - logWindowStart >= LOG_WINDOW_MS) {
    if (logSuppressed > 0) {
      process.stderr.write(`lark-sdk-bot: ${logSuppressed} log line(s) suppressed\n`);
    }
    logWindowStart = now;
    logLinesInWindow = 0;
    logSuppressed = 0;
  }
  if (logLinesInWindow >= LOG_LINES_PER_WINDOW) {
    logSuppressed++;
    return;
  }
  logLinesInWindow++;
  process.stderr.write(`lark-sdk-bot [${level}] ${parts.map(describe).join(' ')}\n`);
}

// LoggerProxy hands each call its arguments as one array.
const flat = (args) => [].concat(...args);
const sdkLogger = {
  error: (...a) => logLine('sdk error', flat(a)),
  warn: (...a) => logLine('sdk warn', flat(a)),
  info: (...a) => logLine('sdk info', flat(a)),
  debug: (...a) => logLine('sdk debug', flat(a)),
  trace: (...a) => logLine('sdk trace', flat(a)),
};

function fatal(msg) {
  process.stderr.write(`lark-sdk-bot: ${msg}\n`);
  process.exit(2);
}

// ----------------------------------------------------------------- config --
if (process.argv.length < 3) fatal('usage: node bot.js <config.json>');
let cfg;
try {
  cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
} catch (e) {
  fatal(`cannot read config ${process.argv[2]}: ${e.message}`);
}
for (const key of ['feishu_url', 'ark_url', 'ark_key', 'model']) {
  if (typeof cfg[key] !== 'string' || cfg[key] === '') fatal(`config: "${key}" must be a non-empty string`);
}
if (!Array.isArray(cfg.accounts) || cfg.accounts.length === 0) fatal('config: "accounts" must be a non-empty array');
const maxConcurrency = cfg.max_concurrency === undefined ? 16 : Number(cfg.max_concurrency);
if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) fatal('config: "max_concurrency" must be an integer >= 1');
const requestTimeoutMs = cfg.request_timeout_ms === undefined ? 30000 : Number(cfg.request_timeout_ms);
const systemPrompt = cfg.system_prompt === undefined ? 'You are a helpful assistant.' : String(cfg.system_prompt);
const seen = new Set();
cfg.accounts.forEach((a, i) => {
  if (!a || typeof a.app_id !== 'string' || typeof a.app_secret !== 'string' || !a.app_secret) {
    fatal(`config: accounts[${i}] needs "app_id" and "app_secret"`);
  }
  // WSClient.start() silently refuses (logs and returns) any other app id.
  if (!/^cli_[0-9a-fA-F]{16}$/.test(a.app_id)) {
    fatal(`config: accounts[${i}].app_id "${a.app_id}" is not cli_ + 16 hex digits (the SDK's WSClient refuses it)`);
  }
  if (seen.has(a.app_id)) fatal(`config: duplicate app_id ${a.app_id}`);
  seen.add(a.app_id);
});
const feishuUrl = cfg.feishu_url.replace(/\/+$/, '');

// -------------------------------------------------------------------- Ark --
// Host root as in the gateway's config; `/api/v3` is appended unless present.
const arkBase = cfg.ark_url.replace(/\/+$/, '');
const arkUrl = new URL(`${/\/api\/v3$/.test(arkBase) ? arkBase : `${arkBase}/api/v3`}/chat/completions`);
const arkHttp = arkUrl.protocol === 'https:' ? https : http;
const arkAgent = new arkHttp.Agent({ keepAlive: true, maxSockets: maxConcurrency });
const arkAuth = `Bearer ${cfg.ark_key}`;

// Concurrency bound: at most maxConcurrency Ark calls in flight, the rest wait
// in FIFO order.
let arkActive = 0;
const arkQueue = [];
let arkQueueHead = 0;
function acquire() {
  if (arkActive < maxConcurrency) {
    arkActive++;
    return Promise.resolve();
  }
  return new Promise((resolve) => arkQueue.push(resolve));
}
function release() {
  if (arkQueueHead < arkQueue.length) {
    const next = arkQueue[arkQueueHead];
    arkQueue[arkQueueHead++] = undefined;
    if (arkQueueHead > 1024 && arkQueueHead * 2 > arkQueue.length) {
      arkQueue.splice(0, arkQueueHead);
      arkQueueHead = 0;
    }
    next(); // the slot passes on; arkActive stays
  } else {
    arkActive--;
  }
}

function arkComplete(text) {
  const body = JSON.stringify({
    model: cfg.model,
    messages: [{ role: 'system', content: systemPrompt }, { role: 'user', content: text }],
    stream: false,
  });
  return new Promise((resolve, reject) => {
    const req = arkHttp.request(arkUrl, {
      method: 'POST',
      agent: arkAgent,
      timeout: requestTimeoutMs,
      headers: {
        Authorization: arkAuth,
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'Content-Length': Buffer.byteLength(body),
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`ark HTTP ${res.statusCode}: ${raw.slice(0, 200)}`));
          return;
        }
        try {
          const j = JSON.parse(raw);
          const content = j.choices && j.choices[0] && j.choices[0].message && j.choices[0].message.content;
          if (typeof content !== 'string') throw new Error('no choices[0].message.content');
          resolve(content);
        } catch (e) {
          reject(new Error(`ark: bad body: ${e.message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`ark: no answer within ${requestTimeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// ------------------------------------------------------------------ events --
const stats = { events: 0, ignored: 0, ark_ok: 0, ark_err: 0, replies: 0, reply_err: 0 };

function messageText(message) {
  if (!message || message.message_type !== 'text' || typeof message.content !== 'string') return null;
  try {
    const t = JSON.parse(message.content).text;
    if (typeof t !== 'string') return null;
    return t.replace(/@_user_\d+/g, '').trim();
  } catch (e) {
    return null;
  }
}

function replyUuid(appId, messageId) {
  // Stable per (app, message): a re-delivered event reuses it, so the
  // platform de-duplicates the reply. 'r-' + 32 hex = 34 chars (limit 50).
  return `r-${crypto.createHash('sha256').update(`${appId}\x1f${messageId}`).digest('hex').slice(0, 32)}`;
}

async function answer(account, messageId, text) {
  let reply;
  await acquire();
  try {
    reply = await arkComplete(text);
    stats.ark_ok++;
  } catch (e) {
    stats.ark_err++;
    throw e;
  } finally {
    release();
  }
  let res;
  try {
    res = await account.client.im.message.reply({
      path: { message_id: messageId },
      data: {
        msg_type: 'text',
        content: JSON.stringify({ text: reply }),
        uuid: replyUuid(account.appId, messageId),
      },
    });
  } catch (e) {
    stats.reply_err++;
    throw e;
  }
  if (!res || res.code !== 0) {
    stats.reply_err++;
    throw new Error(`reply: code ${res && res.code} ${res && res.msg}`);
  }
  stats.replies++;
}

function onMessage(account, data) {
  stats.events++;
  const message = data && data.message;
  const text = messageText(message);
  if (text === null || !message.message_id) {
    stats.ignored++;
    return;
  }
  // Deliberately not awaited: returning now lets the SDK ACK the frame at
  // once (it ACKs only after the handler's promise settles), well inside the
  // platform's 3 s rule however slow the provider is.
  answer(account, message.message_id, text).catch((e) => {
    logLine('error', [`${account.appId} ${message.message_id}:`, e]);
  });
}

// ------------------------------------------------------------------- start --
const accounts = cfg.accounts.map((a) => {
  const account = { appId: a.app_id };
  account.client = new lark.Client({
    appId: a.app_id,
    appSecret: a.app_secret,
    domain: feishuUrl,
    loggerLevel: lark.LoggerLevel.error,
    logger: sdkLogger,
  });
  const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error, logger: sdkLogger })
    .register({ 'im.message.receive_v1': (data) => { onMessage(account, data); } });
  account.ws = new lark.WSClient({
    appId: a.app_id,
    appSecret: a.app_secret,
    domain: feishuUrl,
    loggerLevel: lark.LoggerLevel.error,
    logger: sdkLogger,
    onError: (e) => logLine('error', [`${a.app_id} long connection gave up:`, e]),
  });
  // start() runs discovery + handshake in the background; not awaited, so
  // the accounts connect concurrently.
  account.ws.start({ eventDispatcher: dispatcher }).catch((e) => logLine('error', [`${a.app_id} start:`, e]));
  return account;
});

process.stdout.write(`lark-sdk-bot started ${accounts.length} accounts\n`);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const account of accounts) {
    try { account.ws.close({ force: true }); } catch (e) { /* exiting anyway */ }
  }
  arkAgent.destroy();
  if (logSuppressed > 0) process.stderr.write(`lark-sdk-bot: ${logSuppressed} log line(s) suppressed\n`);
  process.stderr.write(`lark-sdk-bot stopped: ${JSON.stringify(stats)}\n`);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
