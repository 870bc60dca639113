// Hallmark verifier web page: plain JS, no build step. The API token stays in sessionStorage.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
let token = sessionStorage.getItem('hallmark.token');
let selected = null;
let pollTimer = null;

async function api(path, opts = {}) {
  const headers = Object.assign({ 'Authorization': 'Bearer ' + token }, opts.headers || {});
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const msg = body && body.detail ? body.title + ': ' + body.detail : 'HTTP ' + res.status;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return body;
}

function text(el, s) { el.textContent = s; return el; }

function fmtP(log10p) {
  if (log10p === null || log10p === undefined) return '< 1e-308';
  if (log10p > -4) return Number(Math.pow(10, log10p).toPrecision(2)).toString();
  const e = Math.floor(log10p);
  return (Math.pow(10, log10p - e)).toFixed(1) + 'e' + e;
}

async function signIn(t) {
  token = t;
  try {
    const me = await api('/v1/me');
    sessionStorage.setItem('hallmark.token', t);
    text($('who'), 'signed in: ' + me.tenant + ' (' + me.role + ')');
    $('signout').hidden = false;
    $('signin-view').hidden = true;
    $('app-view').hidden = false;
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
      const pct = Math.round(100 * p.fraction);
      tr.append(
        text(document.createElement('td'), s.name),
        Object.assign(text(document.createElement('td'), s.state), { className: 'state state-' + s.state }),
        text(document.createElement('td'), s.state === 'done' ? p.documents + ' docs, ' + p.tokens + ' tokens'
          : s.state === 'failed' ? (s.error || '') : pct + '% · ' + p.documents + ' docs · ' + p.tokens + ' tokens'),
        Object.assign(text(document.createElement('td'), s.verdict === 'watermarked' ? 'watermarked'
          : s.verdict ? 'not detected' : ''), { className: s.verdict === 'watermarked' ? 'state-failed' : '' }),
        text(document.createElement('td'), s.created_at.replace('T', ' ').slice(0, 19)),
        document.createElement('td'));
      if (s.state === 'done') {
        const b = text(document.createElement('button'), 'Report');
        b.className = 'link open-report';
        b.onclick = () => showReport(s.id);
        tr.lastChild.append(b);
      }
      if (s.state === 'queued' || s.state === 'running') busy = true;
      tbody.append(tr);
      if (s.state === 'done' && s.id === selected && $('report-view').hidden) showReport(s.id);
    }
  } catch (e) {
    if (e.status === 401) return signOut();
  }
  pollTimer = setTimeout(refreshScans, busy ? 1000 : 5000);
}

function upload(ev) {
  ev.preventDefault();
  const file = $('file').files[0];
  if (!file) return;
  const fmt = $('format').value;
  const params = new URLSearchParams({ format: fmt, alpha: $('alpha').value, name: $('name').value || file.name });
  if (fmt === 'jsonl') params.set('field', $('field').value);
  if ($('scan-type').value === 'radioactivity') {
    params.set('scan_type', 'radioactivity');
    if ($('filter-scan').value.trim()) params.set('filter_scan', $('filter-scan').value.trim());
  }
  const gz = file.name.endsWith('.gz');
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/v1/scans?' + params.toString());
  xhr.setRequestHeader('Authorization', 'Bearer ' + token);
  xhr.setRequestHeader('Content-Type', gz ? 'application/gzip' : fmt === 'jsonl' ? 'application/x-ndjson' : 'text/plain');
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
      text($('upload-status'), 'uploaded: scan ' + body.id + ' queued');
      selected = body.id;
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

function drawHistogram(svg, hist) {
  svg.replaceChildren();
  const W = +svg.getAttribute('width'), H = +svg.getAttribute('height');
  const ids = Object.keys(hist.counts);
  const bins = hist.bins;
  let max = 1;
  ids.forEach((id) => hist.counts[id].forEach((c) => { max = Math.max(max, c); }));
  const left = 30, bottom = 22, bw = (W - left - 8) / bins, sub = bw / Math.max(1, ids.length);
  ids.forEach((id, k) => {
    hist.counts[id].forEach((c, b) => {
      const h = (H - bottom - 8) * c / max;
      const r = svgEl('rect', { x: left + b * bw + k * sub, y: H - bottom - h, width: Math.max(1, sub - 1), height: h,
        fill: COLORS[k % COLORS.length], class: 'bar' }, svg);
      text(svgEl('title', {}, r), id + ': p in [' + (b / bins).toFixed(2) + ', ' + ((b + 1) / bins).toFixed(2) + '): ' + c);
    });
    text(svgEl('text', { x: W - 170, y: 14 + 13 * k, 'font-size': 10, fill: COLORS[k % COLORS.length] }, svg), id);
  });
  for (let i = 0; i <= 4; i++) {
    text(svgEl('text', { x: left + i * (W - left - 8) / 4, y: H - 6, 'font-size': 10, 'text-anchor': 'middle' }, svg), (i / 4).toFixed(2));
  }
  text(svgEl('text', { x: 2, y: 12, 'font-size': 10 }, svg), String(max));
}

function drawKeys(svg, report) {
  svg.replaceChildren();
  const W = +svg.getAttribute('width'), H = +svg.getAttribute('height');
  const keys = report.keys;
  const thr = -Math.log10(report.alpha);
  const vals = keys.map((k) => (k.log10_p === null ? 308 : Math.max(0, -k.log10_p)));
  const max = Math.max(thr * 1.5, ...vals);
  const left = 150, rowH = Math.min(28, (H - 10) / Math.max(1, keys.length));
  const scale = (W - left - 50) / max;
  keys.forEach((k, i) => {
    const y = 5 + i * rowH;
    text(svgEl('text', { x: 2, y: y + rowH * 0.6, 'font-size': 10 }, svg), k.key_id || k.scheme);
    svgEl('rect', { x: left, y: y + 2, width: Math.max(1, vals[i] * scale), height: rowH - 6,
      fill: k.watermarked ? '#b3261e' : '#7a9cc6', class: 'key-bar' }, svg);
    text(svgEl('text', { x: left + Math.max(1, vals[i] * scale) + 3, y: y + rowH * 0.6, 'font-size': 10 }, svg), vals[i].toPrecision(3));
  });
  const x = left + thr * scale;
  svgEl('line', { x1: x, y1: 0, x2: x, y2: H, stroke: '#333', 'stroke-dasharray': '4 3' }, svg);
}

async function showReport(id) {
  selected = id;
  const r = await api('/v1/scans/' + encodeURIComponent(id) + '/report');
  $('report-view').hidden = false;
  text($('report-name'), r.name);
  const wm = r.verdict === 'watermarked';
  const radio = r.scan_type === 'radioactivity';
  const v = $('report-verdict');
  text(v, radio ? (wm ? 'Radioactive: the suspect outputs carry the watermark' : 'Not radioactive')
    : wm ? 'Watermark detected' : 'No watermark detected');
  v.className = 'verdict ' + (wm ? 'wm' : 'no');
  const docs = radio ? r.documents : r.documents.total;
  text($('report-summary'), (radio ? 'radioactivity test' + (r.filter === 'served-contexts' ? ' (served-data filter)' : '')
    + ' · ' : '') + 'at false-positive rate ' + r.alpha + ' (Holm over ' + r.keys.length + ' keys) · '
    + docs + ' documents · ' + r.tokens.seen + ' tokens · ' + r.timing.seconds.toFixed(1) + ' s'
    + (r.quantized ? ' · analyst view: p-values as conservative buckets'
      + (r.flagged_documents && r.flagged_documents.withheld ? ', ' + r.flagged_documents.withheld
        + ' flagged documents not listed (near-duplicates or short)' : '') : ''));
  $('chart-histogram').closest('figure').hidden = !r.histogram;
  $('top-docs').hidden = !r.top_documents;
  if (r.histogram) drawHistogram($('chart-histogram'), r.histogram);
  drawKeys($('chart-keys'), r);
  const tb = $('top-docs').querySelector('tbody');
  tb.replaceChildren();
  for (const d of (r.top_documents || [])) {
    const tr = document.createElement('tr');
    for (const s of [d.doc_id !== undefined ? d.doc_id : d.index, d.line, d.tokens, d.key_id,
      d.p_bucket || fmtP(d.log10_p), d.preview]) {
      tr.append(text(document.createElement('td'), String(s)));
    }
    if (d.watermarked) tr.style.fontWeight = '600';
    tb.append(tr);
  }
  $('open-html').onclick = async () => {
    const res = await fetch('/v1/scans/' + encodeURIComponent(id) + '/report.html', { headers: { 'Authorization': 'Bearer ' + token } });
    const url = URL.createObjectURL(new Blob([await res.text()], { type: 'text/html' }));
    window.open(url, '_blank', 'noopener');
  };
}

document.addEventListener('DOMContentLoaded', () => {
  $('signin-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token').value.trim()); });
  $('signout').addEventListener('click', signOut);
  $('upload-form').addEventListener('submit', upload);
  $('format').addEventListener('change', () => { $('field-label').hidden = $('format').value !== 'jsonl'; });
  $('scan-type').addEventListener('change', () => { $('filter-label').hidden = $('scan-type').value !== 'radioactivity'; });
  if (token) signIn(token);
});
