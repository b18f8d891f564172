// The Switchboard console: plain JavaScript over the admin port's JSON API and its event stream.
// Data is always shown with textContent, never parsed as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

/** An element with an optional class and text. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Fetches JSON from the admin API; a refusal becomes an Error carrying the server's words. */
async function api(path, options = {}) {
  const response = await fetch(path, { credentials: 'same-origin', ...options });
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('application/json') ? await response.json() : null;
  if (!response.ok) {
    const reason = body && body.error ? body.error : `${response.status} ${response.statusText}`;
    const error = new Error(reason);
    error.status = response.status;
    throw error;
  }
  return body;
}

function postJson(path, value) {
  return api(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(value === undefined ? {} : value),
  });
}

function showProblem(message) {
  const problem = $('problem');
  problem.textContent = message || '';
  problem.hidden = !message;
}

let toastTimer = null;
function toast(message) {
  const node = $('toast');
  node.textContent = message;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, 6000);
}

function time(at) {
  if (!at) return '';
  const date = new Date(at);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function dateTime(at) {
  if (!at) return '—';
  const date = new Date(at);
  return date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** "in 5 min", "3 min ago": a time relative to now. */
function relative(at) {
  if (!at) return '';
  const seconds = Math.round((new Date(at).getTime() - Date.now()) / 1000);
  const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  const format = new Intl.RelativeTimeFormat([], { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return '';
}

/** Debounces a refresh so that a burst of events costs one request. */
function debounced(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

// ---- tabs ----

const tabs = ['phone', 'conversations', 'schedules'];

function selectTab(name) {
  const tab = $(`tab-${name}`);
  if (!tab || tab.hidden) name = 'conversations';
  for (const other of tabs) {
    $(`tab-${other}`).setAttribute('aria-selected', String(other === name));
    $(`panel-${other}`).hidden = other !== name;
  }
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
  if (name === 'conversations') conversations.refresh();
  if (name === 'schedules') schedules.refresh();
  if (name === 'phone') $('phone-text').focus();
}

for (const name of tabs) {
  $(`tab-${name}`).addEventListener('click', () => selectTab(name));
}

// ---- the dev phone ----

const phone = {
  number: null,
  numbers: { sms: [], whatsapp: [] },
  channel: 'sms',
  messages: new Map(),
  attachment: null,

  async start() {
    const info = await api('/api/devphone');
    this.number = info.phone;
    this.numbers = info.numbers;
    $('phone-number').textContent = info.phone;
    $('channel-whatsapp').hidden = !(info.numbers.whatsapp || []).length;
    this.selectChannel('sms');
    for (const message of await api('/api/devphone/messages')) this.messages.set(message.sid, message);
    this.render();
  },

  selectChannel(channel) {
    this.channel = channel;
    for (const button of document.querySelectorAll('.segmented button')) {
      button.setAttribute('aria-pressed', String(button.dataset.channel === channel));
    }
    const select = $('phone-to');
    select.replaceChildren();
    for (const number of this.numbers[channel] || []) select.append(el('option', null, number));
    $('thread').classList.toggle('whatsapp', channel === 'whatsapp');
    this.render();
  },

  /** Whether a message belongs to the thread shown: this phone and the chosen number, on the chosen channel. */
  inThread(message) {
    if (message.channel !== this.channel) return false;
    const other = $('phone-to').value;
    return (message.from === this.number && message.to === other)
      || (message.to === this.number && (message.from === other || message.from === null));
  },

  update(message) {
    this.messages.set(message.sid, message);
    this.render();
  },

  render() {
    const thread = $('thread');
    const shown = [...this.messages.values()].filter((m) => this.inThread(m));
    const nearBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80;
    thread.replaceChildren(...shown.map((m) => this.bubble(m)));
    if (nearBottom || shown.length < 4) thread.scrollTop = thread.scrollHeight;
  },

  bubble(message) {
    const mine = message.direction === 'inbound';
    const twilio = message.direction === 'outbound-reply';
    const item = el('li', `bubble ${mine ? 'mine' : 'theirs'}${twilio ? ' twilio' : ''}`);
    item.dataset.sid = message.sid;
    item.dataset.direction = message.direction;
    if (!mine) item.append(el('span', 'who', twilio ? 'Twilio' : 'Agent'));
    const body = el('div', 'body');
    const text = message.text || (message.template ? `(template ${message.template})` : '');
    if (text) body.append(el('span', 'text', text));
    if (message.media && message.media.length) body.append(this.media(message.media));
    item.append(body);
    const meta = el('div', 'meta');
    meta.append(el('span', null, time(message.at)));
    if (!mine) {
      meta.append(document.createTextNode(' · '));
      meta.append(el('span', `status ${message.status}`, describeStatus(message)));
    }
    item.append(meta);
    return item;
  },

  media(items) {
    const box = el('div', 'media');
    for (const item of items) {
      if (item.failure) {
        box.append(el('div', 'lost', `media not delivered: ${item.failure}`));
      } else if (item.url && item.contentType.startsWith('image/')) {
        const image = el('img');
        image.src = item.url;
        image.alt = `${item.contentType}, ${item.size} bytes`;
        box.append(image);
      } else if (item.url) {
        const link = el('a', 'file', `${item.contentType}, ${item.size} bytes`);
        link.href = item.url;
        link.target = '_blank';
        box.append(link);
      } else {
        box.append(el('span', 'file', `${item.contentType}, ${item.size} bytes`));
      }
    }
    return box;
  },

  async send(event) {
    event.preventDefault();
    const input = $('phone-text');
    const text = input.value;
    if (!text.trim() && !this.attachment) return;
    const message = { channel: this.channel, to: $('phone-to').value, text };
    if (this.attachment) message.media = [this.attachment];
    $('phone-send').disabled = true;
    try {
      const answer = await postJson('/api/devphone/messages', message);
      input.value = '';
      this.clearAttachment();
      showProblem(answer.webhookStatus === 200 ? null : `The gateway answered the webhook with ${answer.webhookStatus}.`);
    } catch (error) {
      showProblem(`Could not text the gateway: ${error.message}`);
    } finally {
      $('phone-send').disabled = false;
      input.focus();
    }
  },

  attach(file) {
    if (!file) return;
    // Twilio takes media of up to 5 MB; the admin port reads requests big enough for that as base64.
    if (file.size > 5 * 1024 * 1024) {
      showProblem(`${file.name} is ${file.size} bytes: Twilio takes media of up to 5 MB.`);
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      const data = String(reader.result);
      this.attachment = { contentType: file.type, base64: data.substring(data.indexOf(',') + 1) };
      $('attachment-name').textContent = `${file.name} (${file.type}, ${file.size} bytes)`;
      $('attachment').hidden = false;
    };
    reader.onerror = () => showProblem(`Could not read ${file.name}.`);
    reader.readAsDataURL(file);
  },

  clearAttachment() {
    this.attachment = null;
    $('phone-file').value = '';
    $('attachment').hidden = true;
  },
};

/** A message's delivery state in words, with Twilio's error when it failed. */
function describeStatus(message) {
  if (message.status !== 'failed' && message.status !== 'undelivered') return message.status;
  if (message.errorCode) {
    return `${message.status}: ${message.errorCode}${message.errorMessage ? ` ${message.errorMessage}` : ''}`;
  }
  return message.status;
}

$('phone-form').addEventListener('submit', (event) => phone.send(event));
$('phone-to').addEventListener('change', () => phone.render());
$('phone-file').addEventListener('change', (event) => phone.attach(event.target.files[0]));
$('attachment-clear').addEventListener('click', () => phone.clearAttachment());
for (const button of document.querySelectorAll('.segmented button')) {
  button.addEventListener('click', () => phone.selectChannel(button.dataset.channel));
}

// ---- conversations ----

function pairingBadge(pairing) {
  const classes = { approved: 'good', allowed: 'good', pending: 'pending', none: 'bad' };
  return el('span', `badge ${classes[pairing] || ''}`, `pairing: ${pairing}`);
}

const conversations = {
  selected: null,

  async refresh() {
    try {
      const list = await api('/api/conversations?limit=50');
      this.renderList(list);
      if (this.selected) await this.open(this.selected.channel, this.selected.counterpart);
    } catch (error) {
      showProblem(`Could not read the conversations: ${error.message}`);
    }
  },

  renderList(list) {
    $('conversations-empty').hidden = list.length > 0;
    $('conversations').replaceChildren(...list.map((c) => {
      const item = el('li');
      const button = el('button');
      button.type = 'button';
      button.dataset.channel = c.channel;
      button.dataset.counterpart = c.counterpart;
      const current = this.selected && this.selected.channel === c.channel && this.selected.counterpart === c.counterpart;
      button.setAttribute('aria-current', String(Boolean(current)));
      button.append(el('span', 'who', c.counterpart));
      button.append(el('span', 'when', relative(c.lastActivity)));
      const badges = el('span', 'badges');
      badges.append(el('span', `badge ${c.channel}`, c.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'));
      if (c.optedOut) badges.append(el('span', 'badge bad', 'opted out'));
      if (c.pairing && c.pairing !== 'off') badges.append(pairingBadge(c.pairing));
      button.append(badges);
      button.append(el('span', 'count', `${c.messages} messages`));
      button.addEventListener('click', () => this.open(c.channel, c.counterpart));
      item.append(button);
      return item;
    }));
  },

  async open(channel, counterpart) {
    this.selected = { channel, counterpart };
    for (const button of document.querySelectorAll('#conversations button')) {
      const current = button.dataset.channel === channel && button.dataset.counterpart === counterpart;
      button.setAttribute('aria-current', String(current));
    }
    try {
      const c = await api(`/api/conversations/${encodeURIComponent(channel)}/${encodeURIComponent(counterpart)}`);
      this.renderTranscript(c);
    } catch (error) {
      showProblem(`Could not read the conversation: ${error.message}`);
    }
  },

  renderTranscript(c) {
    const head = el('div');
    head.append(el('h3', null, c.counterpart));
    const badges = el('div', 'badges');
    badges.append(el('span', `badge ${c.channel}`, c.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'));
    badges.append(el('span', `badge ${c.optedOut ? 'bad' : 'good'}`, c.optedOut ? 'opted out' : 'subscribed'));
    if (c.pairing) badges.append(pairingBadge(c.pairing));
    head.append(badges);
    $('transcript-head').replaceChildren(head);
    $('transcript').replaceChildren(...c.transcript.map((entry) => {
      const item = el('li', entry.direction);
      const line = el('div', 'line');
      line.append(el('span', null, entry.direction === 'inbound' ? '← in' : '→ out'));
      line.append(el('span', null, dateTime(entry.at)));
      if (entry.status) line.append(el('span', `status ${entry.status}`, entry.status));
      if (entry.segments !== undefined && entry.segments !== null) line.append(el('span', null, `${entry.segments} segments`));
      if (entry.parts !== undefined && entry.parts !== null) line.append(el('span', null, `${entry.parts} parts`));
      if (entry.messageId) line.append(el('span', 'sid', entry.messageId));
      item.append(line);
      item.append(el('div', 'text', entry.text));
      return item;
    }));
  },
};

// ---- schedules and pairings ----

const schedules = {
  async refresh() {
    try {
      const [pairings, list] = await Promise.all([api('/api/pairings'), api('/api/schedules')]);
      this.renderPairings(pairings);
      this.renderSchedules(list);
    } catch (error) {
      showProblem(`Could not read the schedules and pairings: ${error.message}`);
    }
  },

  renderPairings(pairings) {
    $('pairings-empty').hidden = pairings.length > 0;
    $('pairings').replaceChildren(...pairings.map((p) => {
      const card = el('li', 'card pairing');
      card.dataset.sender = p.sender;
      card.append(el('h3', null, p.sender));
      card.append(el('div', 'line', `${p.channel === 'whatsapp' ? 'WhatsApp' : 'SMS'} · asked ${relative(p.created)}`));
      const code = el('div', 'line');
      code.append(document.createTextNode('Code '));
      code.append(el('span', 'code', p.code));
      card.append(code);
      card.append(el('div', 'line', `expires ${relative(p.expires)}`));
      const actions = el('div', 'actions');
      const approve = el('button', 'approve', 'Approve');
      const deny = el('button', 'deny', 'Deny');
      approve.type = deny.type = 'button';
      approve.addEventListener('click', () => this.answer(p.code, 'approve'));
      deny.addEventListener('click', () => this.answer(p.code, 'deny'));
      actions.append(approve, deny);
      card.append(actions);
      return card;
    }));
  },

  async answer(code, verb) {
    try {
      const answer = await postJson(`/api/pairings/${encodeURIComponent(code)}/${verb}`);
      toast(`${verb === 'approve' ? 'Approved' : 'Denied'} ${answer.sender}`);
      showProblem(null);
    } catch (error) {
      showProblem(`Could not ${verb} the pairing: ${error.message}`);
    }
    await this.refresh();
  },

  renderSchedules(list) {
    $('schedules-empty').hidden = list.length > 0;
    $('schedules').replaceChildren(...list.map((s) => {
      const card = el('li', 'card schedule');
      card.append(el('h3', null, s.name));
      const cron = el('div', 'line');
      cron.append(el('code', null, s.cron));
      cron.append(document.createTextNode(` · ${s.zone}`));
      card.append(cron);
      card.append(el('div', 'line', s.nextFire ? `next ${dateTime(s.nextFire)} (${relative(s.nextFire)})` : 'no next fire time'));
      const outcomes = el('ul', 'outcomes');
      for (const outcome of s.recent || []) {
        const item = el('li');
        const kind = String(outcome.kind).toLowerCase();
        item.append(el('span', `badge ${kind === 'delivered' ? 'good' : 'bad'}`, kind));
        item.append(document.createTextNode(` ${dateTime(outcome.at)}${outcome.reason ? ` · ${outcome.reason}` : ''}`));
        outcomes.append(item);
      }
      if (!outcomes.children.length) outcomes.append(el('li', 'empty', 'no outcome yet'));
      card.append(outcomes);
      return card;
    }));
  },
};

// ---- live updates ----

function listen() {
  const live = $('live');
  const source = new EventSource('/api/events');
  const refreshConversations = debounced(() => {
    if (!$('panel-conversations').hidden) conversations.refresh();
  }, 250);
  const refreshSchedules = debounced(() => {
    if (!$('panel-schedules').hidden) schedules.refresh();
  }, 250);
  source.addEventListener('open', () => {
    live.textContent = 'live';
    live.classList.add('on');
  });
  source.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.classList.remove('on');
  });
  source.addEventListener('devphone', (event) => phone.update(JSON.parse(event.data)));
  source.addEventListener('conversation', refreshConversations);
  source.addEventListener('pairing', () => {
    refreshSchedules();
    refreshConversations();
  });
  source.addEventListener('schedule', refreshSchedules);
}

async function main() {
  try {
    const overview = await api('/api/overview');
    const mode = $('mode');
    mode.textContent = overview.mode;
    mode.classList.toggle('sandbox', overview.mode === 'sandbox');
    const hasPhone = (overview.extensions || []).includes('/api/devphone');
    $('tab-phone').hidden = !hasPhone;
    listen();
    if (hasPhone) await phone.start();
    const wanted = location.hash.substring(1);
    selectTab(tabs.includes(wanted) ? wanted : hasPhone ? 'phone' : 'conversations');
  } catch (error) {
    showProblem(error.status === 401
      ? 'This console needs the admin token: open it as /?token=<SWITCHBOARD_ADMIN_TOKEN>.'
      : `Could not reach the gateway's admin API: ${error.message}`);
  }
}

main();
