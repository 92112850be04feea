// twilio.mjs — a fake Twilio Messages API on loopback.
//
//   const fake = await startFakeTwilio({ accountSid, authToken,
//                                        from?, messagingServiceSid?, contentSid? });
//   base_url = fake.url; account_sid = accountSid
//   fake.requests      every request, with .form ([[name, value], …] in order)
//                      and .fields ({name: value}) once it passed the checks
//   fake.messages      accepted messages: {sid, to, from, messagingServiceSid,
//                      contentSid, contentVariables, body, statusCallback}
//   fake.rejections    requests that broke a rule: {request, reason}
//   fake.failNext({status, body = twilioError(...), times})
//   fake.delayNext(ms, times)
//   await fake.stop()
//
// Every request must be POST /2010-04-01/Accounts/{accountSid}/Messages.json
// with HTTP Basic auth accountSid:authToken and an
// application/x-www-form-urlencoded body (every byte outside A-Z a-z 0-9
// - . _ ~ percent-encoded) whose fields come in this order and no other:
//   To=whatsapp:+<digits>
//   From=whatsapp:+<digits> | MessagingServiceSid=MG…
//   ContentSid=HX… [ContentVariables={"1":"…","2":"…"}] | Body=<text>
//   [StatusCallback=<http(s) URL>]
// Bad auth gets Twilio's 401 (code 20003), a wrong path 404 (20404), any
// other broken rule 400 with code 21604 and a message starting "fake:".
import { startFakeServer, randomId } from './fake_server.mjs';

// The error body Twilio answers: {code, message, more_info, status}.
export function twilioError(code, message = 'error', status = 400) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function defaultError(status) {
  if (status === 429) return twilioError(20429, 'Too Many Requests', 429);
  if (status >= 500) return twilioError(20500, 'Internal Server Error', status);
  if (status === 401) return twilioError(20003, 'Authenticate', 401);
  return twilioError(21604, 'Invalid parameter', status);
}

const WA_NUMBER = /^whatsapp:\+[1-9][0-9]{7,14}$/;
const SID = (prefix) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

function parseForm(text) {
  if (text === '') return [];
  if (!/^[A-Za-z0-9._~%=&-]*$/.test(text)) throw new Error('body has bytes that are not percent-encoded');
  return text.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`field ${JSON.stringify(pair)} has no name=value`);
    return [decodeURIComponent(pair.slice(0, eq)), decodeURIComponent(pair.slice(eq + 1))];
  });
}

function checkForm(form, opts) {
  const names = form.map(([k]) => k);
  if (new Set(names).size !== names.length) return `duplicate fields: ${names.join(',')}`;
  const f = Object.fromEntries(form);
  let i = 0;
  if (names[i] !== 'To') return `first field ${JSON.stringify(names[i])}, expected To`;
  if (!WA_NUMBER.test(f.To)) return `To ${JSON.stringify(f.To)}: must be whatsapp:+<digits>`;
  i++;
  if (names[i] === 'From') {
    if (!WA_NUMBER.test(f.From)) return `From ${JSON.stringify(f.From)}: must be whatsapp:+<digits>`;
    if (opts.from && f.From !== opts.from) return `From ${JSON.stringify(f.From)}, expected ${JSON.stringify(opts.from)}`;
  } else if (names[i] === 'MessagingServiceSid') {
    if (!SID('MG').test(f.MessagingServiceSid)) return `MessagingServiceSid ${JSON.stringify(f.MessagingServiceSid)}: not MG + 32 hex`;
    if (opts.messagingServiceSid && f.MessagingServiceSid !== opts.messagingServiceSid) return 'MessagingServiceSid is not the configured one';
  } else {
    return `second field ${JSON.stringify(names[i])}, expected From or MessagingServiceSid`;
  }
  i++;
  if (names[i] === 'ContentSid') {
    if (!SID('HX').test(f.ContentSid)) return `ContentSid ${JSON.stringify(f.ContentSid)}: not HX + 32 hex`;
    if (opts.contentSid && f.ContentSid !== opts.contentSid) return 'ContentSid is not the configured one';
    i++;
    if (names[i] === 'ContentVariables') {
      let vars;
      try { vars = JSON.parse(f.ContentVariables); } catch { return 'ContentVariables is not JSON'; }
      if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) return 'ContentVariables must be a JSON object';
      const keys = Object.keys(vars);
      if (keys.length === 0 || keys.some((k, n) => k !== String(n + 1))) return `ContentVariables keys ${JSON.stringify(keys)}: must be "1", "2", … in order`;
      if (Object.values(vars).some((v) => typeof v !== 'string')) return 'ContentVariables values must be strings';
      i++;
    }
  } else if (names[i] === 'Body') {
    if (!f.Body) return 'Body is empty';
    if ([...f.Body].length > 1600) return 'Body is longer than 1600 characters';
    i++;
  } else {
    return `third field ${JSON.stringify(names[i])}, expected ContentSid or Body`;
  }
  if (names[i] === 'StatusCallback') {
    let u;
    try { u = new URL(f.StatusCallback); } catch { return 'StatusCallback is not a URL'; }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'StatusCallback must be http(s)';
    i++;
  }
  if (i !== names.length) return `unexpected fields after ${names[i - 1]}: ${names.slice(i).join(',')}`;
  return null;
}

export async function startFakeTwilio(opts) {
  const { accountSid, authToken } = opts;
  if (!accountSid || !authToken) throw new Error('startFakeTwilio needs accountSid and authToken');
  const messages = [];
  const bad = (reason, status = 400, body = twilioError(21604, `fake: ${reason}`, status)) => ({ reject: { status, body }, reason });

  function check(req, raw) {
    const want = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    if (req.url !== want)
      return bad(`path ${req.url}, expected ${want}`, 404, twilioError(20404, `The requested resource ${req.url} was not found`, 404));
    if (req.method !== 'POST') return bad(`method ${req.method}, expected POST`, 405, twilioError(20004, 'Method not allowed', 405));
    const basic = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
    if (req.headers.authorization !== basic) return bad('Authorization is not Basic accountSid:authToken', 401, twilioError(20003, 'Authenticate', 401));
    const ct = req.headers['content-type'] || '';
    if (!/^application\/x-www-form-urlencoded(\s*;\s*charset=utf-8)?$/i.test(ct)) return bad(`Content-Type ${JSON.stringify(ct)}, expected application/x-www-form-urlencoded`);
    if (req.headers['content-length'] === undefined || Number(req.headers['content-length']) !== raw.length) return bad('Content-Length missing or wrong');
    if (req.headers['transfer-encoding']) return bad('chunked body');
    let form;
    try {
      form = parseForm(new TextDecoder('utf-8', { fatal: true }).decode(raw));
    } catch (e) {
      return bad(`form: ${e.message}`);
    }
    const reason = checkForm(form, opts);
    if (reason) return bad(reason);
    return { parsed: { form, fields: Object.fromEntries(form) } };
  }

  function accept({ fields: f }) {
    const sid = 'SM' + randomId(32);
    messages.push({
      sid, to: f.To, from: f.From, messagingServiceSid: f.MessagingServiceSid, contentSid: f.ContentSid,
      contentVariables: f.ContentVariables ? JSON.parse(f.ContentVariables) : undefined, body: f.Body, statusCallback: f.StatusCallback,
    });
    return {
      status: 201,
      body: {
        sid, account_sid: accountSid, to: f.To, from: f.From || null, messaging_service_sid: f.MessagingServiceSid || null,
        body: f.Body || '', status: 'queued', num_segments: '1', direction: 'outbound-api', api_version: '2010-04-01',
        date_created: new Date().toUTCString(), error_code: null, error_message: null,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      },
    };
  }

  const fake = await startFakeServer({ check, accept, errorBody: defaultError });
  fake.messages = messages;
  const reset = fake.reset;
  fake.reset = () => { reset(); messages.length = 0; };
  return fake;
}
