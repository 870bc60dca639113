// Hallmark verifier web page: plain JS, no build step. The API token stays in sessionStorage.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
const PAGE = 20;
let token = sessionStorage.getItem('hallmark.token');
let me = null;
let selected = null;
let pollTimer = null;
let flaggedOffset = 0;
const lastState = {};

async function api(path, opts = {}) {
  const headers = Object.assign({ 'Authorization': 'Bearer ' + token }, opts.headers || {});
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new Error(body && body.detail ? body.title + ': ' + body.detail : 'HTTP ' + res.status);
    err.status = res.status;
    throw err;
  }
  return body;
}

function text(el, s) { el.textContent = s; return el; }
function el(tag, s, cls) { const e = document.createElement(tag); if (s !== undefined) e.textContent = s; if (cls) e.className = cls; return e; }
function plural(n, noun) { return n + ' ' + noun + (n === 1 ? '' : 's'); }

// p-values are shown with 2 significant digits rounded up (towards p = 1): never more evidence than
// there is. From p_value when it is a normal number (analysts get it already rounded up, so the page,
// the HTML report and the JSON agree), else from the exact log10 p (tails past 1e-308).
function ceil2(v) {
  const s = Number(v.toPrecision(12));
  const e = Math.floor(Math.log10(s));
  let m = Math.ceil(Number((s / Math.pow(10, e - 1)).toPrecision(12))) / 10;
  return m >= 10 ? [1, e + 1] : [m, e];
}
function fmtP(p, log10p) {
  let m, e;
  if (typeof p === 'number' && p >= 2.3e-308) {
    if (p >= 1) return '1';
    [m, e] = ceil2(p);
  } else if (typeof log10p === 'number') {
    e = Math.floor(log10p);
    m = Math.ceil(Number((Math.pow(10, log10p - e) * 10).toPrecision(12))) / 10;
    if (m >= 10) { m = 1; e += 1; }
  } else {
    return log10p === null ? '< 1e-308' : 'n/a';
  }
  if (e >= -4) return String(Number((m * Math.pow(10, e)).toPrecision(2)));
  return m.toFixed(1) + 'e' + e;
}

// Analysts get p-values as conservative buckets (the entry has p_bucket; its log10 fields hold the
// bucket's bound): the page shows the bucket, never a number that looks more precise than that.
function pv(o, pField, logField) {
  pField = pField || 'p_value';
  logField = logField || 'log10_p';
  if (o.p_bucket === undefined) return fmtP(o[pField], o[logField]);
  const b = o[logField];
  return typeof b === 'number' && b < 0 ? '\u2264 1e' + Math.round(b) : '> 0.01';
}
function pSays(o, pField, logField) {
  const v = pv(o, pField, logField);
  return 'p ' + (o.p_bucket === undefined ? '= ' : '') + v;
}

function where(d) {
  const w = d.line !== undefined ? 'line ' + d.line : 'row ' + d.record;
  return d.turn !== undefined ? w + ', turn ' + (d.turn + 1) : w;
}

async function signIn(t) {
  token = t;
  try {
    me = await api('/v1/me');
    sessionStorage.setItem('hallmark.token', t);
    text($('who'), 'signed in: ' + me.tenant + ' (' + me.role + ')');
    $('signout').hidden = false;
    $('signin-view').hidden = true;
    $('app-view').hidden = false;
    $('colour-label').hidden = me.role !== 'admin';
    $('admin-view').hidden = me.role !== 'admin';
    // analysts may ask for the ladder's false-positive rates only (GET /v1/me lists them)
    for (const o of Array.from($('alpha').options)) {
      const ok = !me.limits || !me.limits.alphas
        || me.limits.alphas.some((a) => Math.abs(Math.log10(a) - Math.log10(Number(o.value))) < 1e-9);
      o.hidden = !ok;
      o.disabled = !ok;
    }
    if (me.role === 'admin') refreshAdmin();
    refreshVisibleKeys();
    refreshScans();
  } catch (e) {
    token = null;
    sessionStorage.removeItem('hallmark.token');
    text($('signin-error'), e.status === 401 ? 'That token was not accepted (unknown or revoked).' : e.message);
  }
}

function signOut() {
  sessionStorage.removeItem('hallmark.token');
  token = null;
  if (pollTimer) clearTimeout(pollTimer);
  location.reload();
}

function eta(s) {
  const p = s.progress;
  if (s.state !== 'running' || !s.started_at || !(p.fraction > 0.01)) return '';
  const elapsed = (Date.now() - Date.parse(s.started_at)) / 1000;
  const left = Math.max(0, elapsed * (1 - p.fraction) / p.fraction);
  return left < 60 ? ' · about ' + Math.ceil(left) + ' s left' : ' · about ' + Math.ceil(left / 60) + ' min left';
}

async function refreshScans() {
  if (pollTimer) clearTimeout(pollTimer);
  let busy = false;
  try {
    const list = await api('/v1/scans');
    const tbody = $('scans').querySelector('tbody');
    tbody.replaceChildren();
    $('scans-empty').hidden = list.scans.length > 0;
    for (const s of list.scans) {
      const tr = document.createElement('tr');
      tr.dataset.id = s.id;
      tr.className = s.id === selected ? 'selected' : '';
      const p = s.progress;
      const prog = el('td');
      if (s.state === 'done') {
        text(prog, plural(p.documents, 'doc') + ', ' + plural(p.tokens, 'token'));
      } else if (s.state === 'failed') {
        text(prog, s.error || '');
      } else {
        const bar = el('progress');
        bar.max = 100;
        bar.value = Math.round(100 * p.fraction);
        bar.className = 'scan-progress';
        prog.append(bar, el('span', ' ' + Math.round(100 * p.fraction) + '% · ' + plural(p.documents, 'doc') + eta(s)));
      }
      const actions = el('td');
      if (s.state === 'done') {
        const b = el('button', 'Report', 'link open-report');
        b.onclick = () => { flaggedOffset = 0; showReport(s.id); };
        actions.append(b);
      }
      if (s.state === 'queued' || s.state === 'running') {
        const c = el('button', 'Cancel', 'link cancel-scan');
        c.onclick = async () => { try { await api('/v1/scans/' + encodeURIComponent(s.id) + '/cancel', { method: 'POST' }); } catch (e) { text($('upload-error'), e.message); } refreshScans(); };
        actions.append(c);
      }
      const del = el('button', 'Delete', 'link delete-scan');
      del.onclick = async () => {
        if (!confirm('Delete scan "' + s.name + '", its upload and its report?')) return;
        try { await api('/v1/scans/' + encodeURIComponent(s.id), { method: 'DELETE' }); } catch (e) { text($('upload-error'), e.message); }
        if (selected === s.id) { selected = null; $('report-view').hidden = true; }
        refreshScans();
      };
      actions.append(del);
      const verdict = el('td', s.verdict === 'watermarked' ? (s.scan_type === 'radioactivity' ? 'radioactive' : 'watermarked')
        : s.verdict ? 'not detected' : '', s.verdict === 'watermarked' ? 'state-failed' : '');
      tr.append(el('td', s.name), el('td', s.state, 'state state-' + s.state), prog, verdict,
        el('td', s.created_at.replace('T', ' ').slice(0, 19)), actions);
      if (s.state === 'queued' || s.state === 'running') busy = true;
      tbody.append(tr);
      const before = lastState[s.id];
      lastState[s.id] = s.state;
      if (s.id === selected && before && before !== s.state && (s.state === 'done' || s.state === 'failed')) {
        text($('upload-status'), 'scan "' + s.name + '" ' + (s.state === 'done'
          ? 'done: ' + (s.verdict === 'watermarked' ? 'watermark detected' : 'no watermark detected') : 'failed: ' + (s.error || '')));
      }
      if (s.state === 'done' && s.id === selected && $('report-view').hidden) showReport(s.id);
    }
  } catch (e) {
    if (e.status === 401) return signOut();
  }
  pollTimer = setTimeout(refreshScans, busy ? 1000 : 5000);
}

function toggles() {
  const f = $('format').value;
  $('field-label').hidden = f === 'text';
  $('turns-label').hidden = f === 'text' || f === 'csv' || f === 'tsv';
  $('filter-label').hidden = $('scan-type').value !== 'radioactivity';
}

function upload(ev) {
  ev.preventDefault();
  const file = $('file').files[0];
  if (!file) return;
  const fmt = $('format').value;
  const params = new URLSearchParams({ alpha: $('alpha').value, name: $('name').value || file.name });
  if (fmt) params.set('format', fmt);
  if (fmt !== 'text' && $('field').value.trim()) params.set('field', $('field').value.trim());
  if (!$('turns-label').hidden) params.set('turns', $('turns').value);
  if ($('scan-type').value === 'radioactivity') {
    params.set('scan_type', 'radioactivity');
    if ($('filter-scan').value.trim()) params.set('filter_scan', $('filter-scan').value.trim());
  }
  const n = file.name.toLowerCase();
  const type = n.endsWith('.gz') ? 'application/gzip' : n.endsWith('.zst') ? 'application/zstd' : 'application/octet-stream';
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/v1/scans?' + params.toString());
  xhr.setRequestHeader('Authorization', 'Bearer ' + token);
  xhr.setRequestHeader('Content-Type', type);
  const bar = $('upload-progress');
  bar.hidden = false;
  bar.value = 0;
  text($('upload-error'), '');
  text($('upload-status'), 'uploading…');
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
  xhr.upload.onload = () => { bar.value = 100; text($('upload-status'), 'checking the corpus…'); };
  xhr.onload = () => {
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
    if (xhr.status === 201) {
      text($('upload-status'), 'uploaded (' + body.format + '): scan ' + body.id + ' queued');
      selected = body.id;
      lastState[body.id] = body.state;
      flaggedOffset = 0;
      $('report-view').hidden = true;
      refreshScans();
    } else {
      text($('upload-status'), '');
      text($('upload-error'), body.detail ? body.title + ': ' + body.detail : 'upload failed (HTTP ' + xhr.status + ')');
    }
  };
  xhr.onerror = () => text($('upload-error'), 'upload failed: connection error');
  xhr.send(file);
}

function svgEl(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function drawHistogram(svg, hist) {
  svg.replaceChildren();
  const [, , W, H] = svg.getAttribute('viewBox').split(' ').map(Number);
  const ids = Object.keys(hist.counts);
  const bins = hist.bins;
  let max = 1;
  ids.forEach((id) => hist.counts[id].forEach((c) => { max = Math.max(max, c); }));
  const left = 44, bottom = 40, top = 8, plotW = W - left - 10, plotH = H - top - bottom;
  const bw = plotW / bins, sub = bw / Math.max(1, ids.length);
  const ystep = Math.max(1, niceStep(max / 4));
  for (let t = 0; t <= max; t += ystep) {
    const y = top + plotH - plotH * t / max;
    svgEl('line', { x1: left, y1: y, x2: left + plotW, y2: y, stroke: '#e4e4e4' }, svg);
    text(svgEl('text', { x: left - 4, y: y + 3, 'font-size': 10, 'text-anchor': 'end', class: 'tick' }, svg), String(t));
  }
  ids.forEach((id, k) => {
    hist.counts[id].forEach((c, b) => {
      const h = plotH * c / max;
      const r = svgEl('rect', { x: left + b * bw + k * sub, y: top + plotH - h, width: Math.max(1, sub - 1), height: h,
        fill: COLORS[k % COLORS.length], class: 'bar' }, svg);
      text(svgEl('title', {}, r), id + ': p in [' + (b / bins).toFixed(2) + ', ' + ((b + 1) / bins).toFixed(2) + '): ' + plural(c, 'document'));
    });
    text(svgEl('text', { x: left + plotW - 4, y: top + 10 + 12 * k, 'font-size': 10, 'text-anchor': 'end', fill: COLORS[k % COLORS.length] }, svg), id);
  });
  for (let i = 0; i <= 4; i++) {
    text(svgEl('text', { x: left + i * plotW / 4, y: top + plotH + 13, 'font-size': 10, 'text-anchor': 'middle', class: 'tick' }, svg), (i / 4).toFixed(2));
  }
  text(svgEl('text', { x: left + plotW / 2, y: H - 6, 'font-size': 11, 'text-anchor': 'middle', class: 'axis-title' }, svg), 'per-document p-value (unadjusted)');
  text(svgEl('text', { x: 0, y: 0, 'font-size': 11, 'text-anchor': 'middle', class: 'axis-title',
    transform: 'translate(11 ' + (top + plotH / 2) + ') rotate(-90)' }, svg), 'documents');
}

function drawKeys(svg, report) {
  svg.replaceChildren();
  const [, , W, H] = svg.getAttribute('viewBox').split(' ').map(Number);
  const keys = report.keys;
  const thr = -Math.log10(report.alpha);
  const vals = keys.map((k) => (k.log10_p === null ? 308 : Math.max(0, -k.log10_p)));
  const step = niceStep(Math.max(thr * 1.5, ...vals) / 5);
  const max = Math.ceil(Math.max(thr * 1.5, ...vals) / step) * step;
  const left = 120, top = 6, bottom = 40, plotW = W - left - 40, plotH = H - top - bottom;
  const rowH = Math.min(28, plotH / Math.max(1, keys.length));
  const scale = plotW / max;
  for (let t = 0; t <= max + 1e-9; t += step) {
    svgEl('line', { x1: left + t * scale, y1: top, x2: left + t * scale, y2: top + plotH, stroke: '#e4e4e4' }, svg);
    text(svgEl('text', { x: left + t * scale, y: top + plotH + 13, 'font-size': 10, 'text-anchor': 'middle', class: 'tick' }, svg),
      step < 1 ? t.toFixed(1) : String(Math.round(t)));
  }
  keys.forEach((k, i) => {
    const y = top + i * rowH;
    text(svgEl('text', { x: 2, y: y + rowH * 0.6, 'font-size': 10 }, svg), (k.label || k.key_id || k.scheme).slice(0, 22));
    const r = svgEl('rect', { x: left, y: y + 2, width: Math.max(1, vals[i] * scale), height: rowH - 6,
      fill: k.watermarked ? '#b3261e' : '#7a9cc6', class: 'key-bar' }, svg);
    text(svgEl('title', {}, r), (k.key_id || k.scheme) + ': ' + pSays(k));
    text(svgEl('text', { x: left + Math.max(1, vals[i] * scale) + 3, y: y + rowH * 0.6, 'font-size': 10 }, svg), vals[i].toPrecision(3));
  });
  const x = left + thr * scale;
  svgEl('line', { x1: x, y1: 0, x2: x, y2: top + plotH, stroke: '#333', 'stroke-dasharray': '4 3' }, svg);
  text(svgEl('text', { x: left + plotW / 2, y: H - 6, 'font-size': 11, 'text-anchor': 'middle', class: 'axis-title' }, svg), '\u2212log10 p (Holm-adjusted over keys)');
}

// Appends text[from, to) to parent, with spans as <mark> and (admins, on request) tokens coloured.
function renderHighlighted(parent, textStr, spans, tokens) {
  parent.replaceChildren();
  const marks = (spans || []).filter((s) => s.start_char !== undefined).map((s) => [s.start_char, s.end_char, s])
    .sort((a, b) => a[0] - b[0]);
  let pos = 0;
  const plain = (a, b) => {
    if (b <= a) return;
    if (!tokens) { parent.append(document.createTextNode(textStr.slice(a, b))); return; }
    for (const t of tokens) {
      const s = Math.max(a, t[0]), e = Math.min(b, t[1]);
      if (e > s) parent.append(t[2] === null ? document.createTextNode(textStr.slice(s, e)) : el('span', textStr.slice(s, e), t[2] ? 'tok-green' : 'tok-red'));
    }
  };
  for (const [a, b, s] of marks) {
    if (b <= pos) continue;
    const start = Math.max(pos, a);
    plain(pos, start);
    const m = el('mark', undefined, 'span');
    m.title = (s.key_id || s.scheme) + ': ' + pSays(s);
    const inner = document.createElement('span');
    if (tokens) { const saved = parent; parent = inner; plain(start, b); parent = saved; } else { inner.textContent = textStr.slice(start, b); }
    m.append(inner);
    parent.append(m);
    pos = b;
  }
  plain(pos, textStr.length);
}

async function showReport(id) {
  selected = id;
  const r = await api('/v1/scans/' + encodeURIComponent(id) + '/report');
  $('report-view').hidden = false;
  $('doc-view').hidden = true;
  text($('report-name'), r.name);
  const wm = r.verdict === 'watermarked';
  const radio = r.scan_type === 'radioactivity';
  const v = $('report-verdict');
  text(v, radio ? (wm ? 'Radioactive: the suspect outputs carry the watermark' : 'Not radioactive')
    : wm ? 'Watermark detected' : 'No watermark detected');
  v.className = 'verdict ' + (wm ? 'wm' : 'no');
  const docs = radio ? r.documents : r.documents.total;
  const nk = r.keys.length;
  text($('report-summary'), (radio ? 'radioactivity test' + (r.filter === 'served-contexts' ? ' (served-data filter)' : '') + ' · ' : '')
    + 'at false-positive rate ' + r.alpha + (nk > 1 ? ' (family-wise, Holm over ' + plural(nk, 'key') + ')' : ' (' + plural(nk, 'key') + ')') + ' · '
    + plural(docs, 'document') + (radio ? '' : ', ' + r.documents.flagged + ' flagged') + ' · ' + plural(r.tokens.seen, 'token')
    + ' · ' + r.timing.seconds.toFixed(1) + ' s'
    + (r.quantized ? ' · analyst view: p-values as conservative buckets'
      + (r.flagged_documents && r.flagged_documents.withheld ? ', ' + plural(r.flagged_documents.withheld, 'flagged document')
        + ' not listed (near-duplicates, short, or not in a bucket at or below alpha)' : '') : ''));
  const inp = r.input;
  let line = 'input: ' + inp.format + (inp.chat ? ' (' + inp.chat + ' chat, ' + inp.turns + ' assistant turns)' : '')
    + (inp.field ? ', field ' + inp.field : '') + ', ' + inp.compression + ' compression';
  if (r.records && r.records.tokens_by_role) {
    const parts = Object.entries(r.records.turns).filter(([, n]) => n > 0)
      .map(([role, n]) => role + ' ' + n + ' (' + r.records.tokens_by_role[role] + ' tokens tested)');
    line += ' · turns by role: ' + parts.join(', ');
  }
  text($('report-input'), line);
  $('fig-histogram').hidden = !r.histogram;
  $('docs-section').hidden = radio;
  if (r.histogram) drawHistogram($('chart-histogram'), r.histogram);
  drawKeys($('chart-keys'), r);
  const kt = $('key-table').querySelector('tbody');
  kt.replaceChildren();
  for (const k of r.keys) {
    const tr = el('tr');
    tr.append(el('td', (k.key_id || k.scheme) + (k.label ? ' (' + k.label + ')' : '')), el('td', String(k.tokens_scored)),
      el('td', pv(k, 'p_value_unadjusted', 'log10_p_unadjusted')), el('td', pv(k)),
      el('td', k.watermarked ? (radio ? 'radioactive' : 'watermarked') : 'not detected'));
    kt.append(tr);
  }
  if (!radio) {
    const tb = $('top-docs').querySelector('tbody');
    tb.replaceChildren();
    for (const d of (r.top_documents || [])) {
      const tr = el('tr');
      for (const s of [d.doc_id !== undefined ? d.doc_id : '#' + d.index, where(d), d.tokens, d.key_id, pv(d), d.preview]) {
        tr.append(el('td', String(s)));
      }
      if (d.watermarked) tr.style.fontWeight = '600';
      tb.append(tr);
    }
    showFlagged(id);
  }
  $('open-html').onclick = () => openBlob('/v1/scans/' + encodeURIComponent(id) + '/report.html', 'text/html', null);
  $('download-csv').onclick = () => openBlob('/v1/scans/' + encodeURIComponent(id) + '/documents.csv', 'text/csv', id + '-documents.csv');
  $('download-json').onclick = () => openBlob('/v1/scans/' + encodeURIComponent(id) + '/documents.json', 'application/json', id + '-documents.json');
}

async function openBlob(path, type, filename) {
  const res = await fetch(path, { headers: { 'Authorization': 'Bearer ' + token } });
  const url = URL.createObjectURL(new Blob([await res.text()], { type }));
  if (filename) {
    const a = el('a');
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
  } else {
    window.open(url, '_blank', 'noopener');
  }
}

async function showFlagged(id) {
  const page = await api('/v1/scans/' + encodeURIComponent(id) + '/documents?flagged=true&offset=' + flaggedOffset + '&limit=' + PAGE);
  text($('flagged-count'), '(' + page.total + (page.withheld ? '; ' + page.withheld + ' not listed to analysts' : '') + ')');
  const tb = $('flagged-docs').querySelector('tbody');
  tb.replaceChildren();
  for (const d of page.documents) {
    const tr = el('tr', undefined, 'clickable');
    tr.dataset.index = d.index;
    for (const s of [d.doc_id !== undefined ? d.doc_id : '#' + d.index, where(d), d.tokens, d.key_id, pv(d),
      plural((d.spans || []).length, 'span')]) {
      tr.append(el('td', String(s)));
    }
    tr.onclick = () => showDocument(id, d.index);
    tb.append(tr);
  }
  const last = Math.min(page.total, flaggedOffset + page.documents.length);
  text($('flagged-page'), page.total === 0 ? 'none' : (flaggedOffset + 1) + '–' + last + ' of ' + page.total);
  $('flagged-prev').disabled = flaggedOffset === 0;
  $('flagged-next').disabled = last >= page.total;
  $('flagged-prev').onclick = () => { flaggedOffset = Math.max(0, flaggedOffset - PAGE); showFlagged(id); };
  $('flagged-next').onclick = () => { flaggedOffset += PAGE; showFlagged(id); };
}

async function showDocument(id, index) {
  const d = await api('/v1/scans/' + encodeURIComponent(id) + '/documents/' + index);
  $('doc-view').hidden = false;
  text($('doc-title'), (d.doc_id !== undefined ? d.doc_id : '#' + d.index) + ' · ' + where(d));
  text($('doc-meta'), plural(d.tokens, 'token') + ' · key ' + d.key_id + ' · ' + pSays(d)
    + ' (Holm-adjusted over keys) · ' + plural((d.spans || []).length, 'span') + ' highlighted, each with its own p-value'
    + (d.text_decoded ? ' · text as the tokenizer decodes it' : ''));
  renderHighlighted($('doc-text'), d.text || '', d.spans, null);
  $('doc-view').scrollIntoView({ block: 'nearest' });
}

async function check(ev) {
  ev.preventDefault();
  const t = $('check-text').value;
  text($('check-error'), '');
  text($('check-result'), 'checking…');
  const colour = me && me.role === 'admin' && $('check-colour').checked;
  try {
    const r = await api('/v1/detect', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: t, localize: true, include_token_scores: colour }) });
    const res = r.results[0];
    const best = res.results.reduce((a, b) => (a === null || (b.log10_p !== null && (a.log10_p === null || b.log10_p < a.log10_p)) ? b : a), null);
    text($('check-result'), (res.verdict === 'watermarked' ? 'Watermark detected' : 'No watermark detected') + ' · '
      + plural(res.tokens, 'token') + (best ? ' · best key ' + (best.label ? best.label + ' (' + (best.key_id || best.scheme) + ')'
      : (best.key_id || best.scheme)) + ': ' + pSays(best)
      + ' (Holm-adjusted)' : '') + ' · ' + plural((res.spans || []).length, 'span') + ' highlighted'
      + (res.near_duplicate ? ' · a near-duplicate of a text your tenant checked before: its earlier answer' : ''));
    let tokens = null;
    if (colour && res.token_offsets && best && best.token_scores) {
      tokens = best.token_scores.map((s, i) => [res.token_offsets[i], res.token_offsets[i + 1], s === null ? null : s > 0.5]);
    }
    $('check-doc').hidden = false;
    renderHighlighted($('check-doc'), t, res.spans, tokens);
  } catch (e) {
    text($('check-result'), '');
    text($('check-error'), e.message);
  }
}

// Everyone: the keys their detections and scans test (analysts: their tenant's and the shared ones), by label.
async function refreshVisibleKeys() {
  try {
    const keys = (await api('/v1/keys')).keys.filter((k) => k.status === 'active');
    text($('keys-visible'), keys.length === 0 ? 'No key to test yet (an admin registers them).'
      : 'Tested against ' + plural(keys.length, 'key') + ': ' + keys.map((k) => k.label + ' (' + k.id + (k.tenant ? '' : ', shared') + ')').join(', '));
  } catch (e) {
    text($('keys-visible'), '');
  }
}

function tenantName(t) { return t === null || t === undefined ? 'all tenants (shared)' : t; }

// Admins: keys per tenant (register, generate, import a key file as hallmark keygen wrote it; move to a
// tenant or share; retire) and API tokens (create: the value is shown once; revoke). Secrets never come back.
async function refreshAdmin() {
  try {
    const filter = $('key-tenant-filter').value;
    const keys = await api('/v1/keys' + (filter ? '?tenant=' + encodeURIComponent(filter) : ''));
    const kt = $('keys').querySelector('tbody');
    kt.replaceChildren();
    for (const k of keys.keys) {
      const tr = el('tr');
      const act = el('td');
      if (k.status === 'active') {
        const b = el('button', 'Retire', 'link');
        b.onclick = async () => { if (confirm('Retire key ' + k.id + '?')) { await api('/v1/keys/' + k.id, { method: 'DELETE' }); refreshAdmin(); } };
        act.append(b);
      }
      const mv = el('button', 'Tenant…', 'link');
      mv.className = 'link key-move';
      mv.onclick = async () => {
        const t = prompt('Tenant of key ' + k.label + ' (' + k.id + '); empty: shared by every tenant', k.tenant || '');
        if (t === null) return;
        try {
          await api('/v1/keys/' + k.id, { method: 'PATCH', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ tenant: t.trim() === '' ? null : t.trim() }) });
          refreshAdmin();
          refreshVisibleKeys();
        } catch (e) {
          text($('admin-error'), e.message);
        }
      };
      act.append(mv);
      tr.append(el('td', k.id), el('td', k.label), el('td', tenantName(k.tenant)), el('td', k.scheme), el('td', k.status), act);
      kt.append(tr);
    }
    const toks = await api('/v1/tokens');
    const tt = $('tokens').querySelector('tbody');
    tt.replaceChildren();
    for (const t of toks.tokens) {
      const tr = el('tr');
      const act = el('td');
      if (!t.revoked_at && t.id !== me.id) {
        const b = el('button', 'Revoke', 'link');
        b.onclick = async () => { if (confirm('Revoke the token "' + (t.label || t.id) + '"?')) { await api('/v1/tokens/' + t.id, { method: 'DELETE' }); refreshAdmin(); } };
        act.append(b);
      }
      tr.append(el('td', t.tenant), el('td', t.role), el('td', t.label || ''), el('td', t.revoked_at ? 'revoked' : t.created_at.slice(0, 10)), act);
      tt.append(tr);
    }
    // the tenant filter offers every tenant a token or a key names
    const sel = $('key-tenant-filter');
    const names = new Set(toks.tokens.map((t) => t.tenant));
    for (const k of keys.keys) if (k.tenant) names.add(k.tenant);
    for (const n of [...names].sort()) {
      if (![...sel.options].some((o) => o.value === n)) sel.append(new Option(n, n));
    }
  } catch (e) {
    text($('admin-error'), e.message);
  }
}

async function createKey(ev) {
  ev.preventDefault();
  text($('admin-error'), '');
  try {
    const f = $('key-file').files[0];
    const body = f ? JSON.parse(await f.text()) : {};
    // a key file may name its scheme (hallmark keygen --scheme); the field overrides it when filled in
    if ($('key-scheme').value.trim()) body.scheme = $('key-scheme').value.trim();
    else if (!f) body.scheme = 'kgw';
    body.label = $('key-label').value.trim();
    if ($('key-tenant').value.trim()) body.tenant = $('key-tenant').value.trim();
    await api('/v1/keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    $('key-form').reset();
    refreshAdmin();
    refreshVisibleKeys();
  } catch (e) {
    text($('admin-error'), e.message);
  }
}

async function createToken(ev) {
  ev.preventDefault();
  text($('admin-error'), '');
  try {
    const body = { tenant: $('token-tenant').value.trim(), role: $('token-role').value };
    if ($('token-label').value.trim()) body.label = $('token-label').value.trim();
    const t = await api('/v1/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const p = $('token-new');
    p.replaceChildren(document.createTextNode('New token for ' + t.tenant + ' (shown once; copy it now): '), el('code', t.token));
    $('token-form').reset();
    refreshAdmin();
  } catch (e) {
    text($('admin-error'), e.message);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('key-form').addEventListener('submit', createKey);
  $('key-tenant-filter').addEventListener('change', refreshAdmin);
  $('token-form').addEventListener('submit', createToken);
  $('signin-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token').value.trim()); });
  $('signout').addEventListener('click', signOut);
  $('upload-form').addEventListener('submit', upload);
  $('check-form').addEventListener('submit', check);
  $('format').addEventListener('change', toggles);
  $('scan-type').addEventListener('change', toggles);
  toggles();
  if (token) signIn(token);
});
