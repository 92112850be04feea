// The outbound WhatsApp clients (src/providers/) against the fake WhatsApp
// Cloud API and the fake Twilio on loopback, through `quantumtrack wa-send`:
// every field, header and auth of each request; at most 3 attempts with
// backoff on 429, 5xx, timeouts and connection failures, never on another
// 4xx; provider error codes mapped to clear messages; no redirects, no
// oversized answers, no other schemes; secrets never printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { BIN } from '../lib/server.mjs';
import { startFakeCloud, cloudError } from '../fakes/whatsapp_cloud.mjs';
import { startFakeTwilio, twilioError } from '../fakes/twilio.mjs';

const CLOUD_TOKEN = 'EAAG-cloud-token-' + Math.random().toString(36).slice(2);
const TWILIO_TOKEN = 'twilio-auth-token-' + Math.random().toString(36).slice(2);
const PHONE_NUMBER_ID = '109876543210987';
const API_VERSION = 'v21.0';
const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
const SERVICE_SID = 'MG' + 'fedcba9876543210'.repeat(2);
const CONTENT_SID = 'HX' + '00112233445566778899aabbccddeeff';
const TO = '+919876543210';
// Small timeouts and backoff keep the retry tests quick; the slow answers
// below are well past the timeout.
const TIMEOUT_MS = 400;
const ENV = {
  QT_PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
  QT_PROVIDER_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS),
  QT_PROVIDER_BACKOFF_MS: '10',
  NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost',
};

let cloud, twilio;
const outputs = [];

before(async () => {
  cloud = await startFakeCloud({ token: CLOUD_TOKEN, phoneNumberId: PHONE_NUMBER_ID, apiVersion: API_VERSION });
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: TWILIO_TOKEN });
});
after(async () => { await cloud.stop(); await twilio.stop(); });

// Run the binary without blocking the event loop (the fakes live in this process).
function waSend(args, { secret, env = {} } = {}) {
  return new Promise((resolve) => {
    const fullEnv = { ...process.env, ...ENV, ...env };
    delete fullEnv.QT_WA_SECRET;
    if (secret !== undefined) fullEnv.QT_WA_SECRET = secret;
    execFile(BIN, ['wa-send', ...args], { env: fullEnv }, (err, stdout, stderr) => {
      outputs.push(stdout, stderr);
      let json = null;
      try { json = JSON.parse(stdout); } catch { /* usage errors print no JSON */ }
      resolve({ code: err ? err.code : 0, stdout, stderr, json });
    });
  });
}

const cloudConfig = (over = {}) => JSON.stringify({
  base_url: cloud.url, api_version: API_VERSION, phone_number_id: PHONE_NUMBER_ID,
  template_name: 'payment_due', template_language: 'en', ...over,
});
const sendCloud = (extra = [], opts = {}) =>
  waSend(['--provider', 'cloud', '--config', opts.config || cloudConfig(), '--to', TO, ...extra], { secret: CLOUD_TOKEN, ...opts });

const twilioConfig = (over = {}) => JSON.stringify({
  base_url: twilio.url, account_sid: ACCOUNT_SID, from: 'whatsapp:+14155238886', ...over,
});
const sendTwilio = (extra = ['--text', 'Please pay'], opts = {}) =>
  waSend(['--provider', 'twilio', '--config', opts.config || twilioConfig(), '--to', TO, ...extra], { secret: TWILIO_TOKEN, ...opts });

function fresh() {
  cloud.reset();
  twilio.reset();
}

function assertFailed(r, { code, attempts, retryable, message }) {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.json.ok, false);
  assert.equal(r.json.error_code, code);
  assert.equal(r.json.attempts, attempts);
  assert.equal(r.json.retryable, retryable);
  if (message) assert.match(r.json.error_message, message);
}

// --- WhatsApp Cloud API -------------------------------------------------

test('cloud: a template message goes out exactly as the Cloud API takes it, and messages[0].id is kept', async () => {
  fresh();
  const params = ['Asha Verma', '₹1,23,456.50', 'upi://pay?pa=shop@okhdfc&pn=Gupta%20Store&am=123456.50&cu=INR', 'quote " and \\ backslash'];
  const r = await sendCloud(params.flatMap((p) => ['--param', p]));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(cloud.rejections, []);
  assert.equal(cloud.requests.length, 1);
  const req = cloud.requests[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.path, `/${API_VERSION}/${PHONE_NUMBER_ID}/messages`);
  assert.equal(req.headers.authorization, `Bearer ${CLOUD_TOKEN}`);
  assert.equal(req.headers['content-type'], 'application/json');
  assert.deepEqual(req.json, {
    messaging_product: 'whatsapp',
    to: '919876543210',
    type: 'template',
    template: {
      name: 'payment_due',
      language: { code: 'en' },
      components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }],
    },
  });
  assert.deepEqual(Object.keys(req.json), ['messaging_product', 'to', 'type', 'template']);
  assert.equal(r.json.ok, true);
  assert.equal(r.json.provider_message_id, cloud.messages[0].id);
  assert.match(r.json.provider_message_id, /^wamid\./);
  assert.equal(r.json.http_status, 200);
  assert.equal(r.json.attempts, 1);
});

test('cloud: a template without parameters leaves out components; the language comes from the config', async () => {
  fresh();
  const r = await sendCloud([], { config: cloudConfig({ template_language: 'hi', base_url: cloud.url + '/' }) });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(cloud.rejections, []);
  assert.deepEqual(cloud.requests[0].json.template, { name: 'payment_due', language: { code: 'hi' } });
});

test('cloud: HTTP 429 twice, then success, is sent on the third attempt', async () => {
  fresh();
  cloud.failNext({ status: 429, times: 2 });
  const r = await sendCloud(['--param', 'x']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.attempts, 3);
  assert.equal(cloud.requests.length, 3);
  assert.equal(cloud.messages.length, 1);
  assert.equal(r.json.provider_message_id, cloud.messages[0].id);
  // Each attempt is the same complete request.
  for (const req of cloud.requests) assert.deepEqual(req.json, cloud.requests[2].json);
});

test('cloud: HTTP 500 on every attempt fails after 3 attempts and may be retried later', async () => {
  fresh();
  cloud.failNext({ status: 500, times: 3 });
  const r = await sendCloud(['--param', 'x']);
  assertFailed(r, { code: '131000', attempts: 3, retryable: true, message: /Something went wrong/ });
  assert.equal(r.json.http_status, 500);
  assert.equal(cloud.requests.length, 3);
  assert.match(r.stderr, /attempt 1 of 3 answered HTTP 500/);

  fresh();
  cloud.failNext({ status: 503, body: '', times: 3 });
  const r2 = await sendCloud();
  assertFailed(r2, { code: 'http_503', attempts: 3, retryable: true, message: /unavailable/ });
});

test('cloud: a 400 is never retried; 131047 (24 h window) gets its clear message', async () => {
  fresh();
  cloud.failNext({ status: 400, body: cloudError(131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed'), times: 3 });
  const r = await sendCloud(['--param', 'x']);
  assertFailed(r, { code: '131047', attempts: 1, retryable: false, message: /24 hours.*template/ });
  assert.equal(r.json.http_status, 400);
  assert.equal(cloud.requests.length, 1);
});

test('cloud: throughput, pair-rate and undeliverable codes get clear messages, without a retry on 400', async () => {
  const cases = [
    [130429, /throughput limit.*retry later/i, true],
    [131056, /too many messages.*this number.*retry later/i, true],
    [131026, /could not be delivered/i, false],
  ];
  for (const [code, message, retryable] of cases) {
    fresh();
    cloud.failNext({ status: 400, body: cloudError(code, 'provider text') });
    const r = await sendCloud();
    assertFailed(r, { code: String(code), attempts: 1, retryable, message });
    assert.equal(cloud.requests.length, 1, String(code));
  }
});

test('cloud: a wrong access token is refused by the fake (401, code 190) and mapped, without a retry', async () => {
  fresh();
  const r = await sendCloud([], { secret: 'not-the-token' });
  assertFailed(r, { code: '190', attempts: 1, retryable: false, message: /access token is invalid or has expired/ });
  assert.equal(r.json.http_status, 401);
  assert.equal(cloud.rejections.length, 1);
  assert.match(cloud.rejections[0].reason, /Authorization/);
});

test('cloud: an error code without a mapping keeps the provider message and details', async () => {
  fresh();
  cloud.failNext({ status: 400, body: cloudError(131009, '(#131009) Parameter value is not valid', 'Parameter 2 is too long') });
  const r = await sendCloud();
  assertFailed(r, { code: '131009', attempts: 1, retryable: false });
  assert.equal(r.json.error_message, 'WhatsApp Cloud API error 131009: (#131009) Parameter value is not valid (Parameter 2 is too long)');
});

test('cloud: an answer slower than the timeout is retried, then the send fails with timeout', async () => {
  fresh();
  cloud.delayNext(TIMEOUT_MS * 5, 3);
  const r = await sendCloud();
  assertFailed(r, { code: 'timeout', attempts: 3, retryable: true, message: new RegExp(`within ${TIMEOUT_MS} ms`) });
  assert.equal(r.json.http_status, 0);
  assert.equal(cloud.requests.length, 3);
});

test('cloud: one slow answer, then a prompt one, succeeds on the second attempt', async () => {
  fresh();
  cloud.delayNext(TIMEOUT_MS * 5, 1);
  const r = await sendCloud();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.attempts, 2);
  assert.equal(cloud.requests.length, 2);
});

// --- Twilio -------------------------------------------------------------

test('twilio: To, From, Body and StatusCallback go out form-encoded in that order with Basic auth; the sid is kept', async () => {
  fresh();
  const text = 'Namaste Asha, ₹1,250.00 due. Pay: upi://pay?pa=shop@okhdfc&am=1250.00 +more';
  const r = await sendTwilio(['--text', text, '--status-callback', 'https://shop.example/api/v1/webhooks/twilio/gupta']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(twilio.rejections, []);
  assert.equal(twilio.requests.length, 1);
  const req = twilio.requests[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.path, `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  assert.equal(req.headers.authorization, 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${TWILIO_TOKEN}`).toString('base64'));
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(req.form, [
    ['To', 'whatsapp:+919876543210'],
    ['From', 'whatsapp:+14155238886'],
    ['Body', text],
    ['StatusCallback', 'https://shop.example/api/v1/webhooks/twilio/gupta'],
  ]);
  assert.ok(req.raw.startsWith('To=whatsapp%3A%2B919876543210&From=whatsapp%3A%2B14155238886&Body='), req.raw);
  assert.equal(r.json.ok, true);
  assert.equal(r.json.provider_message_id, twilio.messages[0].sid);
  assert.match(r.json.provider_message_id, /^SM[0-9a-f]{32}$/);
  assert.equal(r.json.http_status, 201);
  assert.equal(r.json.attempts, 1);
});

test('twilio: a content template sends MessagingServiceSid, ContentSid and ContentVariables {"1":…,"2":…} instead of Body', async () => {
  fresh();
  const config = twilioConfig({ from: undefined, messaging_service_sid: SERVICE_SID, content_sid: CONTENT_SID });
  const r = await sendTwilio(['--param', 'Asha', '--param', '₹1,250.00', '--param', 'a "quoted" value', '--text', 'ignored'], { config });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(twilio.rejections, []);
  assert.deepEqual(twilio.requests[0].form.map(([k]) => k), ['To', 'MessagingServiceSid', 'ContentSid', 'ContentVariables']);
  assert.equal(twilio.requests[0].fields.MessagingServiceSid, SERVICE_SID);
  assert.equal(twilio.requests[0].fields.ContentSid, CONTENT_SID);
  assert.equal(twilio.requests[0].fields.ContentVariables, JSON.stringify({ 1: 'Asha', 2: '₹1,250.00', 3: 'a "quoted" value' }));

  fresh();
  const both = await sendTwilio(['--param', 'x'], { config: twilioConfig({ from: '+14155238886', messaging_service_sid: SERVICE_SID, content_sid: CONTENT_SID }) });
  assert.equal(both.code, 0, both.stderr);
  assert.deepEqual(twilio.requests[0].form.slice(0, 2), [['To', 'whatsapp:+919876543210'], ['From', 'whatsapp:+14155238886']]);
});

test('twilio: a 400 (21211) is never retried and its code is mapped', async () => {
  fresh();
  twilio.failNext({ status: 400, body: twilioError(21211, "The 'To' number +919876543210 is not a valid phone number."), times: 3 });
  const r = await sendTwilio();
  assertFailed(r, { code: '21211', attempts: 1, retryable: false, message: /not a valid number/ });
  assert.equal(r.json.http_status, 400);
  assert.equal(twilio.requests.length, 1);
});

test('twilio: an unmapped error code keeps Twilio\'s message', async () => {
  fresh();
  twilio.failNext({ status: 400, body: twilioError(21617, 'The concatenated message body exceeds the 1600 character limit.') });
  const r = await sendTwilio();
  assertFailed(r, { code: '21617', attempts: 1, retryable: false });
  assert.equal(r.json.error_message, 'Twilio error 21617: The concatenated message body exceeds the 1600 character limit.');
});

test('twilio: a wrong auth token is refused by the fake (401, code 20003) and mapped, without a retry', async () => {
  fresh();
  const r = await sendTwilio(undefined, { secret: 'wrong-token' });
  assertFailed(r, { code: '20003', attempts: 1, retryable: false, message: /Account SID and auth token/ });
  assert.equal(twilio.rejections.length, 1);
});

test('twilio: 503 then success is sent on the second attempt; 429 or 500 on every attempt fails after 3', async () => {
  fresh();
  twilio.failNext({ status: 503 });
  const ok = await sendTwilio();
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json.attempts, 2);
  assert.equal(twilio.messages.length, 1);

  fresh();
  twilio.failNext({ status: 429, times: 3 });
  const limited = await sendTwilio();
  assertFailed(limited, { code: '20429', attempts: 3, retryable: true, message: /limiting requests.*retry later/ });
  assert.equal(twilio.requests.length, 3);

  fresh();
  twilio.failNext({ status: 500, times: 3 });
  const down = await sendTwilio();
  assertFailed(down, { code: '20500', attempts: 3, retryable: true });
  assert.equal(down.json.http_status, 500);
  assert.equal(twilio.requests.length, 3);
});

test('twilio: answers slower than the timeout are retried, then the send fails with timeout', async () => {
  fresh();
  twilio.delayNext(TIMEOUT_MS * 5, 3);
  const r = await sendTwilio();
  assertFailed(r, { code: 'timeout', attempts: 3, retryable: true });
  assert.equal(twilio.requests.length, 3);
});

// --- Transport rules ----------------------------------------------------

test('a redirect is not followed: the send fails on the first attempt and the target sees nothing', async () => {
  fresh();
  const target = await startFakeCloud({ token: CLOUD_TOKEN, phoneNumberId: PHONE_NUMBER_ID, apiVersion: API_VERSION });
  try {
    cloud.failNext({ status: 307, body: '', headers: { location: `${target.url}/${API_VERSION}/${PHONE_NUMBER_ID}/messages` } });
    const r = await sendCloud();
    assertFailed(r, { code: 'http_307', attempts: 1, retryable: false, message: /redirect/ });
    assert.equal(target.requests.length, 0);
  } finally {
    await target.stop();
  }
});

test('an answer larger than 64 KiB is refused without a retry; a 2xx without an id is reported', async () => {
  fresh();
  cloud.failNext({ status: 200, body: JSON.stringify({ messages: [{ id: 'wamid.x' }], pad: 'x'.repeat(70 * 1024) }) });
  const big = await sendCloud();
  assertFailed(big, { code: 'response_too_large', attempts: 1, retryable: false, message: /may have been sent/ });
  assert.equal(cloud.requests.length, 1);

  fresh();
  twilio.failNext({ status: 201, body: { status: 'queued' } });
  const noId = await sendTwilio();
  assertFailed(noId, { code: 'invalid_response', attempts: 1, retryable: false, message: /no usable message id/ });
});

test('a refused connection is retried, then the send fails with connection_failed', async () => {
  const port = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const r = await sendCloud([], { config: cloudConfig({ base_url: `http://127.0.0.1:${port}` }) });
  assertFailed(r, { code: 'connection_failed', attempts: 3, retryable: true });
});

test('only http and https base URLs are used; anything else is refused before any request', async () => {
  fresh();
  for (const base_url of ['file:///etc/passwd', 'ftp://127.0.0.1/', 'gopher://127.0.0.1:70/', 'dict://127.0.0.1/',
    `${cloud.url}/x?y=1`, `${cloud.url}#frag`, 'http://', 'https:///path', `${cloud.url} `]) {
    const r = await sendCloud([], { config: cloudConfig({ base_url }) });
    assert.equal(r.code, 2, `${base_url}: ${r.stderr}`);
    assert.equal(r.json.error_code, 'invalid_request', base_url);
    assert.equal(r.json.attempts, 0, base_url);
    assert.match(r.json.error_message, /base_url/, base_url);
  }
  assert.equal(cloud.requests.length, 0);
});

// --- The command --------------------------------------------------------

test('wa-send refuses bad arguments, settings and secrets with exit 2 and sends nothing', async () => {
  fresh();
  const cases = [
    [['--provider', 'cloud', '--config', cloudConfig(), '--to', TO], {}],                     // no QT_WA_SECRET
    [['--provider', 'cloud', '--config', cloudConfig(), '--to', TO], { secret: '' }],
    [['--provider', 'sms', '--config', cloudConfig(), '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', '{not json', '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', '[1]', '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig({ phone_numbr_id: '1' }), '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig({ api_version: 21 }), '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig({ api_version: undefined }), '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig({ phone_number_id: '../../me' }), '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig({ template_name: '' }), '--to', TO], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig(), '--to', '9876543210'], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig(), '--to', '+91 98765 43210'], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig(), '--to', TO], { secret: 'tok\r\nX-Injected: 1' }],
    [['--provider', 'twilio', '--config', twilioConfig({ from: undefined }), '--to', TO, '--text', 'x'], { secret: TWILIO_TOKEN }],
    [['--provider', 'twilio', '--config', twilioConfig({ from: 'whatsapp:14155238886' }), '--to', TO, '--text', 'x'], { secret: TWILIO_TOKEN }],
    [['--provider', 'twilio', '--config', twilioConfig(), '--to', TO], { secret: TWILIO_TOKEN }],    // no Body, no content_sid
    [['--provider', 'twilio', '--config', twilioConfig({ account_sid: 'AC/../x' }), '--to', TO, '--text', 'x'], { secret: TWILIO_TOKEN }],
    [['--provider', 'twilio', '--config', twilioConfig(), '--to', TO, '--text', 'x', '--status-callback', 'javascript:alert(1)'], { secret: TWILIO_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig(), '--to', TO, '--bogus'], { secret: CLOUD_TOKEN }],
    [['--provider', 'cloud', '--config', cloudConfig(), '--to', TO, '--param'], { secret: CLOUD_TOKEN }],
  ];
  for (const [args, opts] of cases) {
    const r = await waSend(args, opts);
    assert.equal(r.code, 2, `${JSON.stringify(args)}: exit ${r.code} ${r.stderr}`);
    assert.ok(r.stderr.trim(), `${JSON.stringify(args)}: a reason on stderr`);
  }
  assert.equal(cloud.requests.length, 0);
  assert.equal(twilio.requests.length, 0);
});

test('wa-send --help names QT_WA_SECRET, and quantumtrack --help lists wa-send', async () => {
  const help = await waSend(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: quantumtrack wa-send/);
  assert.match(help.stdout, /QT_WA_SECRET/);
  const top = await new Promise((resolve) => execFile(BIN, ['--help'], (e, stdout) => resolve(stdout)));
  assert.match(top, /^\s+wa-send\s/m);
});

test('the secrets never appear in anything the command printed', () => {
  assert.ok(outputs.length > 40);
  const all = outputs.join('\n');
  assert.ok(!all.includes(CLOUD_TOKEN), 'Cloud access token printed');
  assert.ok(!all.includes(TWILIO_TOKEN), 'Twilio auth token printed');
  assert.ok(!all.includes(Buffer.from(`${ACCOUNT_SID}:${TWILIO_TOKEN}`).toString('base64')), 'Basic credentials printed');
});
