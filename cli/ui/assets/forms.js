// goalctl ui: DOM building, the calls to goalctl ui's API, and forms whose refusals show the
// kernel's message next to the field it is about.
'use strict';

// h('div', {class: 'x'}, 'text', child...): elements built with text nodes only, so nothing
// from the plan is ever parsed as HTML.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.appendChild(typeof kid === 'string' || typeof kid === 'number' ? document.createTextNode(String(kid)) : kid);
  }
  return el;
}

function fmt(v) {
  if (v === null || v === undefined || v === '') return '-';
  if (typeof v === 'number') return String(Math.round(v * 100) / 100);
  return String(v);
}

function pct(v) {
  return v === null || v === undefined ? '' : `${Math.round(v * 100)}%`;
}

const Api = {
  csrf: null,
  async get(path) {
    const res = await fetch(path, {headers: {'Accept': 'application/json'}});
    const body = await res.json().catch(() => ({error: `HTTP ${res.status}`}));
    if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
    return body;
  },
  // Resolves to {ok, body}: a refusal is an answer, not an exception.
  async post(path, data) {
    const res = await fetch(path, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Goalsync-Csrf': Api.csrf},
      body: JSON.stringify(data),
    });
    const body = await res.json().catch(() => ({error: `HTTP ${res.status}`}));
    return {ok: res.ok, body};
  },
};

// A form from a spec:
//   {id, title, submit, fields: [{name, label, type ('text'|'number'|'select'|'textarea'|
//    'checkbox'|'date'), options: [[value, text]], value, required, words: [...]}],
//    send: values -> Promise<{ok, body}>, done: body -> void}
// A refusal's message is shown next to the first field whose name or words it mentions
// (else next to the button); nothing else changes.
function makeForm(spec) {
  const form = h('form', {class: 'gs-form', id: spec.id, novalidate: true});
  if (spec.title) form.appendChild(h('h3', {}, spec.title));
  const inputs = {};
  for (const f of spec.fields) {
    let input;
    if (f.type === 'select') {
      input = h('select', {name: f.name}, (f.options || []).map(([v, t]) =>
        h('option', {value: v, selected: String(v) === String(f.value ?? '')}, t)));
    } else if (f.type === 'textarea') {
      input = h('textarea', {name: f.name, rows: 2, placeholder: f.placeholder || ''});
      if (f.value) input.value = f.value;
    } else if (f.type === 'checkbox') {
      input = h('input', {type: 'checkbox', name: f.name});
    } else {
      input = h('input', {type: f.type === 'number' ? 'text' : (f.type || 'text'), name: f.name,
                          placeholder: f.placeholder || '', inputmode: f.type === 'number' ? 'decimal' : null});
      if (f.value !== undefined && f.value !== null) input.value = f.value;
    }
    inputs[f.name] = input;
    const error = h('span', {class: 'field-error', 'data-for': f.name, role: 'alert'});
    form.appendChild(h('label', {class: 'field field-' + f.name}, h('span', {class: 'label'}, f.label), input, error));
  }
  const button = h('button', {type: 'submit'}, spec.submit || 'Save');
  const formError = h('span', {class: 'field-error form-error', 'data-for': '', role: 'alert'});
  const note = h('span', {class: 'form-note', role: 'status'});
  form.appendChild(h('div', {class: 'actions'}, button, formError, note));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    note.textContent = '';
    const values = {};
    for (const f of spec.fields) {
      const el = inputs[f.name];
      values[f.name] = f.type === 'checkbox' ? el.checked : el.value.trim();
    }
    let result;
    try {
      result = await spec.send(values);
    } catch (e) {
      result = {ok: false, body: {error: e.message}};
    }
    if (!result.ok) {
      const message = result.body.error || 'refused';
      const target = fieldOf(spec.fields, message);
      const slot = target ? form.querySelector(`.field-error[data-for="${target}"]`) : formError;
      slot.textContent = message;
      form.classList.add('refused');
      return;
    }
    form.classList.remove('refused');
    form.reset();
    note.textContent = 'recorded';
    if (spec.done) spec.done(result.body);
  });
  return form;
}

function fieldOf(fields, message) {
  const text = message.toLowerCase();
  for (const f of fields) {
    for (const w of [f.name.toLowerCase(), ...(f.words || [])]) {
      if (w && text.includes(w)) return f.name;
    }
  }
  return null;
}

function number(text) {
  if (text === '' || text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;  // the kernel names a bad number
}

// "2026-Q4=12, 2026-Q3=17" -> {"2026-Q4": 12, ...}
function periodTargets(text) {
  const out = {};
  for (const part of (text || '').split(/[,\n]/)) {
    const [k, v] = part.split('=').map(s => (s || '').trim());
    if (k) out[k] = number(v);
  }
  return out;
}

function lines(text) {
  return (text || '').split('\n').map(s => s.trim()).filter(Boolean);
}
