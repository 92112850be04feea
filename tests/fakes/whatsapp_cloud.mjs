// whatsapp_cloud.mjs — a fake WhatsApp Cloud API (Meta Graph) on loopback.
//
//   const fake = await startFakeCloud({ token, phoneNumberId, apiVersion,
//                                       templateName?, templateLanguage? });
//   base_url = fake.url; api_version = apiVersion; phone_number_id = phoneNumberId
//   fake.requests      every request, with .json (the parsed body) once it passed the checks
//   fake.messages      accepted messages: {id, to, name, language, params}
//   fake.rejections    requests that broke a rule: {request, reason}
//   fake.failNext({status, body = cloudError(...), times})
//   fake.delayNext(ms, times)
//   await fake.stop()
//
// Every request must be exactly what the Cloud API takes for a template
// message: POST /{apiVersion}/{phoneNumberId}/messages, "Authorization:
// Bearer <token>", Content-Type application/json with a Content-Length, and
// the body {"messaging_product":"whatsapp","to":"<digits>","type":"template",
// "template":{"name":…,"language":{"code":…},"components":[{"type":"body",
// "parameters":[{"type":"text","text":…},…]}]}} with no other key anywhere
// ("components" may be absent for a template without parameters).  A bad
// token gets what Meta answers (401, error code 190); any other broken rule
// gets 400 with error code 100 and a message starting "fake:".
import { startFakeServer, exactKeys, randomId } from './fake_server.mjs';

// The error body the Graph API answers: {"error":{message,type,code,error_data,fbtrace_id}}.
export function cloudError(code, message = 'error', details) {
  const error = { message, type: 'OAuthException', code, fbtrace_id: 'A' + randomId(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') };
  if (details) error.error_data = { messaging_product: 'whatsapp', details };
  return { error };
}

function defaultError(status) {
  if (status === 429) return cloudError(130429, 'Rate limit hit', 'Cloud API message throughput has been reached.');
  if (status >= 500) return cloudError(131000, 'Something went wrong');
  if (status === 401) return cloudError(190, 'Invalid OAuth access token - Cannot parse access token');
  return cloudError(100, 'Invalid parameter');
}

function checkBody(b, opts) {
  let r = exactKeys(b, ['messaging_product', 'to', 'type', 'template'], 'body');
  if (r) return r;
  if (b.messaging_product !== 'whatsapp') return 'messaging_product must be "whatsapp"';
  if (typeof b.to !== 'string' || !/^[1-9][0-9]{7,14}$/.test(b.to)) return `to ${JSON.stringify(b.to)}: must be 8-15 digits without +`;
  if (b.type !== 'template') return 'type must be "template"';
  const t = b.template;
  r = exactKeys(t, 'components' in (t || {}) ? ['name', 'language', 'components'] : ['name', 'language'], 'template');
  if (r) return r;
  if (typeof t.name !== 'string' || !t.name) return 'template.name must be a non-empty string';
  if (opts.templateName && t.name !== opts.templateName) return `template.name ${JSON.stringify(t.name)}, expected ${JSON.stringify(opts.templateName)}`;
  r = exactKeys(t.language, ['code'], 'template.language');
  if (r) return r;
  if (typeof t.language.code !== 'string' || !/^[a-z]{2,3}(_[A-Z]{2})?$/.test(t.language.code)) return `template.language.code ${JSON.stringify(t.language.code)}: not a language code`;
  if (opts.templateLanguage && t.language.code !== opts.templateLanguage) return `template.language.code ${JSON.stringify(t.language.code)}, expected ${JSON.stringify(opts.templateLanguage)}`;
  if ('components' in t) {
    if (!Array.isArray(t.components) || t.components.length !== 1) return 'template.components must be an array of one body component';
    const c = t.components[0];
    r = exactKeys(c, ['type', 'parameters'], 'template.components[0]');
    if (r) return r;
    if (c.type !== 'body') return 'template.components[0].type must be "body"';
    if (!Array.isArray(c.parameters) || c.parameters.length === 0) return 'template.components[0].parameters must be a non-empty array';
    for (const [i, p] of c.parameters.entries()) {
      r = exactKeys(p, ['type', 'text'], `parameters[${i}]`);
      if (r) return r;
      if (p.type !== 'text') return `parameters[${i}].type must be "text"`;
      if (typeof p.text !== 'string') return `parameters[${i}].text must be a string`;
    }
  }
  return null;
}

export async function startFakeCloud(opts) {
  const { token, phoneNumberId, apiVersion = 'v21.0' } = opts;
  if (!token || !phoneNumberId) throw new Error('startFakeCloud needs token and phoneNumberId');
  const messages = [];
  const bad = (reason, status = 400, body = cloudError(100, `fake: ${reason}`)) => ({ reject: { status, body }, reason });

  function check(req, raw) {
    if (req.method !== 'POST') return bad(`method ${req.method}, expected POST`);
    const want = `/${apiVersion}/${phoneNumberId}/messages`;
    if (req.url !== want) return bad(`path ${req.url}, expected ${want}`);
    if (req.headers.authorization !== `Bearer ${token}`)
      return bad('Authorization is not "Bearer <the token>"', 401, cloudError(190, 'Invalid OAuth access token - Cannot parse access token'));
    const ct = req.headers['content-type'] || '';
    if (!/^application\/json(\s*;\s*charset=utf-8)?$/i.test(ct)) return bad(`Content-Type ${JSON.stringify(ct)}, expected application/json`);
    if (req.headers['content-length'] === undefined || Number(req.headers['content-length']) !== raw.length) return bad('Content-Length missing or wrong');
    if (req.headers['transfer-encoding']) return bad('chunked body');
    let text, json;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
      json = JSON.parse(text);
    } catch {
      return bad('body is not UTF-8 JSON');
    }
    const reason = checkBody(json, opts);
    if (reason) return bad(reason);
    return { parsed: { json } };
  }

  function accept({ json }) {
    const id = 'wamid.' + Buffer.from(randomId(40)).toString('base64url');
    const params = json.template.components ? json.template.components[0].parameters.map((p) => p.text) : [];
    messages.push({ id, to: json.to, name: json.template.name, language: json.template.language.code, params });
    return {
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input: json.to, wa_id: json.to }], messages: [{ id, message_status: 'accepted' }] },
    };
  }

  const fake = await startFakeServer({ check, accept, errorBody: defaultError });
  fake.messages = messages;
  const reset = fake.reset;
  fake.reset = () => { reset(); messages.length = 0; };
  return fake;
}
