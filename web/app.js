// The frontline dashboard. Reads only this server's API (same origin); every file it needs is
// embedded in the binary. The layers are the server's vector tiles: the TileJSON of a date
// (`/v1/tiles/{source}/{date}.json`) names the epoch in force and gives the layers' km2; its
// tiles never change, so the browser caches them for good. The view (source, mode, dates, map position) lives in the URL's query
// string, so that any view can be shared and reopened exactly.
//
// Performance marks (read by scripts/bench-dashboard.sh and the browser test):
//   fl:occupied-drawn  the occupied layer of the first date is drawn (startTime: from navigation)
//   fl:step-start / fl:step-drawn, measure fl:step   a date change until its layers are drawn
import * as maplibregl from './maplibre-gl.mjs';
import uPlot from './uPlot.esm.js';

const LAYERS = [
  // id on the map = the tile layer's name, the TileJSON's figure, legend text
  { id: 'covered', figure: 'covered_km2', label: 'Covered (area of application)' },
  { id: 'occupied', figure: 'occupied_km2', label: 'Occupied' },
  { id: 'contested', figure: 'contested_km2', label: 'Contested (grey zone)' },
  { id: 'line', figure: 'line_km', label: 'Line of contact' },
];
const DIFF_LAYERS = ['gained', 'lost', 'newly_contested', 'no_longer_contested'].map((c) => `diff-${c}`);
/** A scenario's tile layers as drawn: map layer id, tile layer, style, legend text. */
const SCENARIO_LAYERS = [
  { id: 'scenario-excluded', layer: 'excluded', label: 'Excluded (occupied, grey zone, baselines, exclusions)', swatch: 'sw-scenario-excluded',
    style: { type: 'fill', paint: { 'fill-color': ['match', ['get', 'status'], 'contested', '#9e9e9e', 'baseline', '#3e2723', 'exclusion', '#ef6c00', '#b71c1c'], 'fill-opacity': 0.25 } } },
  { id: 'scenario-zones', layer: 'zones', label: 'Security zones', swatch: 'sw-scenario-zones',
    style: { type: 'fill', paint: { 'fill-color': '#7b1fa2', 'fill-opacity': 0.3, 'fill-outline-color': '#4a148c' } } },
  { id: 'scenario-withdrawal', layer: 'withdrawal', label: 'Withdrawal area', swatch: 'sw-scenario-withdrawal',
    style: { type: 'fill', paint: { 'fill-color': '#0277bd', 'fill-opacity': 0.45 } } },
  { id: 'scenario-area', layer: 'area', label: 'Area of application (outline)', swatch: 'sw-scenario-area',
    style: { type: 'line', paint: { 'line-color': '#1b5e20', 'line-width': 2.2 } } },
  { id: 'scenario-reference', layer: 'reference_lines', label: 'Reference lines', swatch: 'sw-scenario-reference',
    style: { type: 'line', paint: { 'line-color': '#111', 'line-width': 1.6, 'line-dasharray': [3, 2] } } },
  { id: 'scenario-withdrawal-line', layer: 'withdrawal_line', label: 'Withdrawal line (D0)', swatch: 'sw-scenario-withdrawal-line',
    style: { type: 'line', paint: { 'line-color': '#0277bd', 'line-width': 2, 'line-dasharray': [1, 1.5] } } },
];
const CHANGES = [
  { id: 'gained', label: 'Gained (newly occupied)', total: 'gained_km2' },
  { id: 'lost', label: 'Lost (no longer occupied)', total: 'lost_km2' },
  { id: 'newly_contested', label: 'Newly contested', total: 'newly_contested_km2' },
  { id: 'no_longer_contested', label: 'No longer contested', total: 'no_longer_contested_km2' },
];
const COLORS = {
  covered: '#8bc48a', occupied: '#d9534f', contested: '#f0a030', line: '#7a0c0c', border: '#1d4f91',
  gained: '#c62828', lost: '#1565c0', newly_contested: '#ef6c00', no_longer_contested: '#6a9f2c',
};
const UKRAINE_BOUNDS = [[22.1, 44.3], [40.3, 52.4]];
const EMPTY = { type: 'FeatureCollection', features: [] };
const DAY_MS = 86400000;

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'data') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
const day = (s) => Math.round(Date.parse(`${s}T00:00:00Z`) / DAY_MS);
const iso = (d) => new Date(d * DAY_MS).toISOString().slice(0, 10);
const km2 = (v) => (v === null || v === undefined ? 'not drawn' : `${v.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} km²`);
const km = (v) => `${v.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })} km`;

/** The state of the view; `writeUrl` puts it in the address bar. */
const state = {
  sources: [],
  source: null,
  mode: 'date',
  date: null,
  from: null,
  to: null,
  epochs: [], // timeline rows of the source, by date
  snapshotDays: [],
  point: null, // [lon, lat] clicked
  playing: false,
  scenarios: [], // the stored scenarios (GET /v1/scenarios)
  scenario: null, // the id of the scenario shown
};

async function api(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try {
      const p = await res.json();
      detail = p.detail || detail;
    } catch { /* not problem+json */ }
    throw new Error(`${path.split('?')[0]}: ${detail}`);
  }
  return res.json();
}

let busyCount = 0;
async function busy(promise) {
  busyCount += 1;
  $('busy').textContent = 'loading…';
  try {
    const v = await promise;
    $('error').hidden = true;
    return v;
  } catch (e) {
    $('error').textContent = String(e.message || e);
    $('error').hidden = false;
    throw e;
  } finally {
    busyCount -= 1;
    if (busyCount === 0) $('busy').textContent = '';
  }
}

// ---- the URL ----------------------------------------------------------------------------------

/** What was wrong in the URL the page was opened with, each naming the parameter and what is
 * shown instead: `{ param, text }`, shown in the notice banner (never a silent substitution). */
const notices = [];
function notice(param, text) {
  notices.push({ param, text });
  renderNotices();
}

function renderNotices() {
  const box = $('notice');
  box.hidden = notices.length === 0;
  box.replaceChildren(
    el('span', {}, 'The link was read with changes: '),
    el('ul', {}, ...notices.map((n) => el('li', { data: { param: n.param } }, el('code', {}, n.param), ': ', n.text))),
    el('button', { type: 'button', 'aria-label': 'dismiss', onclick: () => { box.hidden = true; } }, '×'),
  );
}

const PARAMS = ['source', 'mode', 'date', 'from', 'to', 'map', 'point', 'scenario'];
const MIN_ZOOM = 3;
const MAX_ZOOM = 14;
const MAX_LAT = 85.05;
const shown = (v) => (v.length > 40 ? `'${v.slice(0, 40)}…'` : `'${v}'`);

/** A finite number written as one (`Number('')` is 0, `Number('0x10')` 16: neither is taken). */
function number(s) {
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s.trim()) ? Number(s) : NaN;
}

/** The view the URL asks for, each parameter checked for its form; what does not depend on the
 * data (the source's name and dates are checked in `selectSource`). */
function readUrl() {
  const q = new URLSearchParams(location.search);
  for (const key of new Set(q.keys())) {
    if (!PARAMS.includes(key)) notice(key, `not a parameter of this page (${PARAMS.join(', ')}); ignored`);
    else if (q.getAll(key).length > 1) notice(key, `given ${q.getAll(key).length} times; the first, ${shown(q.get(key))}, is used`);
  }
  const view = { source: q.get('source'), mode: 'date', date: q.get('date'), from: q.get('from'), to: q.get('to'), map: null, point: null, scenario: q.get('scenario') };
  const mode = q.get('mode');
  if (mode === 'diff' || mode === 'date') view.mode = mode;
  else if (mode !== null) notice('mode', `${shown(mode)} is not 'date' or 'diff'; showing 'date'`);
  const m = q.get('map');
  if (m !== null) {
    const parts = m.split('/');
    const [zoom, lat, lon] = parts.map(number);
    let why = null;
    if (parts.length !== 3 || ![zoom, lat, lon].every(Number.isFinite)) why = 'is not zoom/latitude/longitude (three numbers, e.g. 6/48.5/35)';
    else if (zoom < MIN_ZOOM || zoom > MAX_ZOOM) why = `has zoom ${zoom}, outside ${MIN_ZOOM} to ${MAX_ZOOM}`;
    else if (Math.abs(lat) > MAX_LAT) why = `has latitude ${lat}, outside -${MAX_LAT} to ${MAX_LAT}`;
    else if (Math.abs(lon) > 180) why = `has longitude ${lon}, outside -180 to 180`;
    if (why) notice('map', `${shown(m)} ${why}; showing the whole of Ukraine`);
    else view.map = { zoom, center: [lon, lat] };
  }
  const pt = q.get('point');
  if (pt !== null) {
    const parts = pt.split(',');
    const [lon, lat] = parts.map(number);
    if (parts.length === 2 && Math.abs(lon) <= 180 && Math.abs(lat) <= 90) {
      view.point = [lon, lat];
      // Web Mercator ends short of the poles: the point is answered, its marker cannot be drawn.
      if (Math.abs(lat) > MAX_LAT) notice('point', `${shown(pt)} has latitude ${lat}, beyond the map's ±${MAX_LAT}: answered in the panel, not marked on the map`);
    } else notice('point', `${shown(pt)} is not longitude,latitude (two numbers in range); no point shown`);
  }
  return view;
}

/** The day of a `YYYY-MM-DD` that is a real calendar date, or null (2025-02-30 is not). */
function calendarDay(s) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const d = day(s);
  return Number.isFinite(d) && iso(d) === s ? d : null;
}

/** The date the URL's `param` asks for, checked against the snapshot dates; `fallback` (a
 * day) when absent; a notice naming what is shown instead when it is not usable. */
function urlDate(param, value, fallback) {
  const days = state.snapshotDays;
  const [first, last] = [days[0], days[days.length - 1]];
  if (value === null || value === undefined) return iso(fallback);
  const d = calendarDay(value);
  if (d === null) {
    notice(param, `${shown(value)} is not a calendar date (YYYY-MM-DD); showing ${iso(fallback)}`);
    return iso(fallback);
  }
  if (d < first) {
    notice(param, `${value} is before the source's first snapshot; showing ${iso(first)}`);
    return iso(first);
  }
  if (d > last) {
    notice(param, `${value} is after the source's last snapshot; showing ${iso(last)}, the last`);
    return iso(last);
  }
  return value;
}

function writeUrl() {
  const q = new URLSearchParams();
  q.set('source', state.source);
  q.set('mode', state.mode);
  if (state.mode === 'diff') {
    q.set('from', state.from);
    q.set('to', state.to);
  } else {
    q.set('date', state.date);
  }
  if (map) {
    const c = map.getCenter();
    q.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
  }
  // The point as given (a link) or as clicked (to 1e-6 degree, about 0.1 m): the URL names the
  // very point the panel answers for.
  if (state.point) q.set('point', `${state.point[0]},${state.point[1]}`);
  if (state.scenario) q.set('scenario', state.scenario);
  const url = `${location.pathname}?${q.toString().replaceAll('%2F', '/').replaceAll('%2C', ',')}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
}

// ---- the map ----------------------------------------------------------------------------------

let map = null;

function style() {
  return {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: '/dashboard/countries.geojson' },
      coastline: { type: 'geojson', data: '/dashboard/coastline.geojson' },
      border: { type: 'geojson', data: EMPTY },
      point: { type: 'geojson', data: EMPTY },
      // The vector tile sources `state` and `diff` are added with the first TileJSON of each.
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#dde8f0' } },
      { id: 'countries', type: 'fill', source: 'countries', paint: { 'fill-color': '#f5f3ef' } },
      { id: 'country-lines', type: 'line', source: 'countries', paint: { 'line-color': '#bdb6aa', 'line-width': 0.6 } },
      { id: 'coastline', type: 'line', source: 'coastline', paint: { 'line-color': '#7f9db3', 'line-width': 0.8 } },
      { id: 'border', type: 'line', source: 'border', paint: { 'line-color': COLORS.border, 'line-width': 1.6 } },
      {
        id: 'point-link', type: 'line', source: 'point', filter: ['==', ['geometry-type'], 'LineString'],
        paint: { 'line-color': '#111', 'line-width': 1.2, 'line-dasharray': [2, 2] },
      },
      {
        id: 'point', type: 'circle', source: 'point', filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-radius': ['case', ['==', ['get', 'role'], 'clicked'], 6, 4],
          'circle-color': ['case', ['==', ['get', 'role'], 'clicked'], '#111', '#fff'],
          'circle-stroke-color': '#111', 'circle-stroke-width': 1.5,
        },
      },
    ],
  };
}

const fill = (id, source, layer, color, opacity) => ({
  id, type: 'fill', source, 'source-layer': layer,
  paint: { 'fill-color': color, 'fill-opacity': opacity, 'fill-outline-color': color },
});

/** The map layers of each vector source: the state's, the diff's, a scenario's. */
function tileLayers(id) {
  if (id === 'state') {
    return [fill('covered', id, 'covered', COLORS.covered, 0.45), fill('contested', id, 'contested', COLORS.contested, 0.75),
      fill('occupied', id, 'occupied', COLORS.occupied, 0.6),
      { id: 'line', type: 'line', source: id, 'source-layer': 'line', paint: { 'line-color': COLORS.line, 'line-width': 2.4 } }];
  }
  if (id === 'scenario') return SCENARIO_LAYERS.map((l) => ({ ...l.style, id: l.id, source: id, 'source-layer': l.layer }));
  return DIFF_LAYERS.map((l) => fill(l, id, l.slice(5), COLORS[l.slice(5)], 0.75));
}

/** Points the vector source `id` at the tiles of `tilejson`; adds it, and its layers, the first time. */
const templates = new Map();
function useTiles(id, tilejson) {
  // A template is absolute (the server's public URL) or, behind a proxy that strips it, relative.
  const tiles = tilejson.tiles.map((t) => new URL(t, location.href).href.replaceAll('%7B', '{').replaceAll('%7D', '}'));
  if (map.getSource(id)) {
    if (templates.get(id) !== tiles[0]) map.getSource(id).setTiles(tiles);
  } else {
    map.addSource(id, { type: 'vector', tiles, minzoom: tilejson.minzoom, maxzoom: tilejson.maxzoom });
    // Under the border and the clicked point.
    for (const l of tileLayers(id)) map.addLayer(l, 'border');
  }
  templates.set(id, tiles[0]);
}

/** Shows the layers of one mode, hides the other's (a layer the legend switched off stays off). */
function showMode(diff) {
  const set = (ids, on) => ids.forEach((l) => {
    if (map.getLayer(l)) map.setLayoutProperty(l, 'visibility', on && !switchedOff.has(l) ? 'visible' : 'none');
  });
  set(LAYERS.map((l) => l.id), !diff);
  set(DIFF_LAYERS, diff);
}
const switchedOff = new Set();

function idle() {
  return new Promise((resolve) => {
    // `idle` fires once nothing is loading or moving; after a setData it waits for the worker.
    map.once('idle', () => resolve());
    map.triggerRepaint();
  });
}

// ---- loading a date ---------------------------------------------------------------------------

/** The first day of the epoch in force on `d` (the latest timeline row on or before it). */
function epochOf(d) {
  let best = null;
  for (const r of state.epochs) if (r.day <= d) best = r;
  return best;
}

const tilejsonCache = new Map();
/** The TileJSON of the first date shown, asked for while the map loads its style (before the
 * timeline that names the epoch has arrived): `{ source, date, promise }`. It is the state in
 * force on that date, which is what `tilejsonOf` gives for that date's epoch. */
let earlyTilejson = null;
function askEarly(source, date) {
  const promise = api(`/v1/tiles/${encodeURIComponent(source)}/${date}.json`);
  promise.catch(() => {}); // used (and its failure shown) by tilejsonOf, or dropped
  earlyTilejson = { source, date, promise };
}
/** The TileJSON of the epoch that starts on `epochDate` (every day of an epoch has the same),
 * drawn for `date`. */
async function tilejsonOf(source, epochDate, date) {
  const key = `${source}|${epochDate}`;
  if (!tilejsonCache.has(key)) {
    const early = earlyTilejson?.source === source && earlyTilejson.date === date ? earlyTilejson.promise : null;
    earlyTilejson = null;
    const p = (early || api(`/v1/tiles/${encodeURIComponent(source)}/${epochDate}.json`)).catch((e) => {
      tilejsonCache.delete(key);
      throw e;
    });
    tilejsonCache.set(key, p);
    if (tilejsonCache.size > 64) tilejsonCache.delete(tilejsonCache.keys().next().value);
  }
  return tilejsonCache.get(key);
}

let drawSeq = 0;
/** Shows the layers in force on `state.date`; resolves when the map has drawn them. */
async function drawDate() {
  const seq = ++drawSeq;
  const d = day(state.date);
  const epoch = epochOf(d);
  if (!epoch) throw new Error(`no snapshot of '${state.source}' on or before ${state.date}`);
  const tilejson = await busy(tilejsonOf(state.source, epoch.date, state.date));
  if (seq !== drawSeq) return false;
  useTiles('state', tilejson);
  showMode(false);
  renderLegend(tilejson.frontline);
  renderInForce(tilejson.frontline, d);
  await idle();
  return seq === drawSeq;
}

function renderInForce(meta, d) {
  const age = d - day(meta.snapshot.date);
  const p = $('in-force');
  p.replaceChildren(
    'In force: snapshot ', el('code', { title: meta.snapshot.id }, meta.snapshot.id),
    ` (${meta.snapshot.date}${age > 0 ? `, ${age} day${age === 1 ? '' : 's'} before ${state.date}` : ''}), file `,
    el('code', { title: meta.snapshot.provenance.file }, meta.snapshot.provenance.file),
    meta.synthetic ? el('strong', {}, ' SYNTHETIC') : '',
  );
}

function renderLegend(meta) {
  const box = $('legend');
  const rows = LAYERS.map((l) => {
    const raw = meta[l.figure];
    const value = l.id === 'line' ? km(raw) : km2(raw);
    const checkbox = el('input', { type: 'checkbox', id: `show-${l.id}`, 'aria-label': `show ${l.label}` });
    checkbox.checked = !switchedOff.has(l.id);
    checkbox.addEventListener('change', () => {
      if (checkbox.checked) switchedOff.delete(l.id);
      else switchedOff.add(l.id);
      map.setLayoutProperty(l.id, 'visibility', checkbox.checked ? 'visible' : 'none');
    });
    return el('div', { class: 'legend-row', data: { layer: l.id, value: raw === null ? '' : String(raw) } },
      el('span', { class: `swatch sw-${l.id}${l.id === 'line' ? ' line' : ''}` }),
      el('label', { for: `show-${l.id}` }, checkbox, ' ', l.label),
      el('span', { class: 'km' }, value));
  });
  const border = el('div', { class: 'legend-row', data: { layer: 'border' } },
    el('span', { class: 'swatch sw-border line' }), el('span', {}, 'Recognized border'),
    el('span', { class: 'km' }, borderArea === null ? '' : km2(borderArea)));
  box.replaceChildren(el('h2', {}, `On ${state.date}`), ...rows, border);
}

// ---- diff mode --------------------------------------------------------------------------------

async function drawDiff() {
  const seq = ++drawSeq;
  const src = encodeURIComponent(state.source);
  // The parts are drawn from the diff's tiles; listed (with their extent) from /v1/diff.
  const [tilejson, doc] = await busy(Promise.all([
    api(`/v1/tiles/${src}/diff/${state.from}/${state.to}.json`),
    api(`/v1/diff?source=${src}&from=${state.from}&to=${state.to}&precision=5`),
  ]));
  if (seq !== drawSeq) return false;
  useTiles('diff', tilejson);
  showMode(true);
  renderDiff(doc);
  await idle();
  return seq === drawSeq;
}

function renderDiff(doc) {
  const t = doc.frontline.totals;
  $('diff-range').textContent = `${state.from} → ${state.to}`;
  $('diff-totals').replaceChildren(...CHANGES.map((c) => el('tr', { data: { change: c.id, value: t[c.total] === null ? '' : String(t[c.total]) } },
    el('td', {}, el('span', { class: `swatch ch-${c.id}` })),
    el('td', {}, c.label),
    el('td', { class: 'km' }, km2(t[c.total])))));
  const parts = [...doc.features].sort((a, b) => b.properties.area_km2 - a.properties.area_km2).slice(0, 12);
  $('diff-parts').replaceChildren(...parts.map((f) => {
    const li = el('li', { tabindex: '0', data: { change: f.properties.change } },
      el('span', { class: `swatch ch-${f.properties.change}` }), ' ',
      `${f.properties.change.replaceAll('_', ' ')}: ${km2(f.properties.area_km2)}`);
    const zoom = () => map.fitBounds(bounds(f.geometry), { padding: 40, maxZoom: 11 });
    li.addEventListener('click', zoom);
    li.addEventListener('keydown', (e) => { if (e.key === 'Enter') zoom(); });
    return li;
  }));
  if (!parts.length) $('diff-parts').replaceChildren(el('li', {}, doc.frontline.identical ? 'identical snapshots: nothing changed' : 'no part above the sliver threshold'));
  $('legend').replaceChildren(el('h2', {}, 'Diff'), ...CHANGES.map((c) => el('div', { class: 'legend-row' },
    el('span', { class: `swatch ch-${c.id}` }), el('span', {}, c.label), el('span'))));
}

function bounds(geometry) {
  let [w, s, e, n] = [180, 90, -180, -90];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(walk);
  };
  walk(geometry.coordinates);
  return [[w, s], [e, n]];
}

// ---- a ceasefire scenario ---------------------------------------------------------------------

/** Draws the stored scenario `id` (its tiles) and shows its citation, figures and provenance;
 * `null` takes it off the map. */
async function showScenario(id) {
  state.scenario = id || null;
  $('scenario').value = state.scenario || '';
  const info = $('scenario-info');
  const on = (visible) => SCENARIO_LAYERS.forEach((l) => {
    if (map.getLayer(l.id)) map.setLayoutProperty(l.id, 'visibility', visible ? 'visible' : 'none');
  });
  if (!state.scenario) {
    on(false);
    info.replaceChildren(el('p', { class: 'small' }, state.scenarios.length
      ? 'Choose a saved scenario to draw its area of application, zones and withdrawal.'
      : 'No scenario is saved on this server (POST /v1/scenarios stores one).'));
    writeUrl();
    return;
  }
  const tilejson = await busy(api(`/v1/scenarios/${encodeURIComponent(state.scenario)}/tiles.json`));
  if (state.scenario !== id) return;
  useTiles('scenario', tilejson);
  on(true);
  const a = tilejson.frontline.scenario;
  const c = a.ceasefire;
  const rows = [
    ['citation', tilejson.frontline.title || '(no title)'],
    ['id', el('code', { title: a.id }, a.id)],
    ['ceasefire', `${c.date}, source ${c.source}`],
    ['snapshot', el('span', {}, el('code', {}, c.snapshot.id), ', file ', el('code', { title: c.snapshot.provenance.file }, c.snapshot.provenance.file))],
    ['sha256', el('code', { class: 'small' }, c.snapshot.provenance.sha256)],
    ['area of application', el('span', { id: 'scenario-area-km2', data: { value: String(a.area_of_application_km2) } }, km2(a.area_of_application_km2))],
    ...a.excluded.map((e) => [`excluded: ${e.reason}${e.name ? ` (${e.name})` : ''}`, km2(e.area_km2)]),
    ...a.zones.map((z) => [`zone ${z.name}`, `${km2(z.area_km2)} (${z.width_km} km, ${z.side})`]),
    ...(a.withdrawal ? [['withdrawal', `${km2(a.withdrawal.area_km2)} to the line of ${a.withdrawal.to_line_of.date}`]] : []),
    ['inputs', `${a.inputs.length} (snapshots, baselines, border), hashed into the id`],
    ['synthetic', String(a.synthetic)],
  ];
  info.replaceChildren(
    el('dl', {}, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    ...SCENARIO_LAYERS.map((l) => el('div', { class: 'legend-row' }, el('span', { class: `swatch ${l.swatch}` }), el('span', {}, l.label), el('span'))),
    el('p', { class: 'small' }, 'Figures and provenance: ', el('a', { href: `/v1/scenarios/${a.id}` }, `/v1/scenarios/${a.id.slice(0, 12)}…`)),
  );
  writeUrl();
}

/** Chooses a scenario from the list: shows its source on its ceasefire date, and its layers. */
async function chooseScenario(id) {
  const sc = state.scenarios.find((s) => s.id === id);
  if (!sc) return showScenario(null);
  if (sc.source !== state.source) await selectSource(sc.source, null);
  if (state.mode !== 'date') state.mode = 'date';
  await setDate(sc.ceasefire_date);
  return showScenario(id);
}

// ---- a point ----------------------------------------------------------------------------------

async function showPoint() {
  const box = $('point');
  if (!state.point) {
    box.hidden = true;
    map.getSource('point').setData(EMPTY);
    return;
  }
  const [lon, lat] = state.point;
  const date = state.mode === 'diff' ? state.to : state.date;
  const src = encodeURIComponent(state.source);
  const [cov, hist] = await busy(Promise.all([
    api(`/v1/coverage?source=${src}&lon=${lon}&lat=${lat}&date=${date}&distance=true`),
    api(`/v1/history?source=${src}&lon=${lon}&lat=${lat}`),
  ]));
  const features = [{ type: 'Feature', properties: { role: 'clicked' }, geometry: { type: 'Point', coordinates: [lon, lat] } }];
  const near = cov.line_of_contact_nearest;
  if (near) {
    features.push({ type: 'Feature', properties: { role: 'nearest' }, geometry: { type: 'Point', coordinates: near } });
    features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[lon, lat], near] } });
  }
  map.getSource('point').setData({ type: 'FeatureCollection', features });
  const s = cov.snapshot;
  const dl = el('dl', {},
    el('dt', {}, 'status'), el('dd', {}, el('span', { class: `status st-text-${cov.status}`, id: 'point-status' }, cov.status),
      cov.sliver ? ` (a ${cov.sliver.kind} of ${km2(cov.sliver.area_km2)}, drawn covered)` : ''),
    el('dt', {}, 'on boundary'), el('dd', { id: 'point-boundary' }, String(cov.on_boundary)),
    el('dt', {}, 'line of contact'), el('dd', {}, cov.line_of_contact_km === undefined || cov.line_of_contact_km === null
      ? 'none on this date' : `${km(cov.line_of_contact_km)} to (${near[0].toFixed(5)}, ${near[1].toFixed(5)})`),
    ...(cov.in_waters ? [el('dt', {}, 'in waters'), el('dd', {}, `yes, ${km(cov.land_km)} from the land`)] : []),
    ...(cov.border_km !== undefined ? [el('dt', {}, 'border'), el('dd', {}, `${km(cov.border_km)} away`)] : []),
    el('dt', {}, 'snapshot'), el('dd', {}, el('code', {}, s.id), ` of ${s.date}`),
    el('dt', {}, 'file'), el('dd', {}, el('code', {}, s.provenance.file)),
    el('dt', {}, 'sha256'), el('dd', {}, el('code', { class: 'small' }, s.provenance.sha256)),
    ...(s.provenance.origin ? [el('dt', {}, 'origin'), el('dd', {}, s.provenance.origin)] : []),
    el('dt', {}, 'synthetic'), el('dd', {}, String(cov.synthetic)));
  box.replaceChildren(
    el('h2', {}, `(${lon.toFixed(5)}, ${lat.toFixed(5)}) on ${date}`),
    dl,
    el('h3', {}, 'History ', el('span', { class: 'small' }, '(click a span to go to its first day)')),
    timeBar(hist, date),
    el('button', { type: 'button', onclick: () => { state.point = null; showPoint(); writeUrl(); } }, 'close'));
  box.hidden = false;
}

function timeBar(hist, date) {
  const first = day(hist.first_date);
  const last = Math.max(day(hist.last_date), day(date));
  const span = Math.max(1, last - first + 1);
  const bar = el('div', { class: 'timebar', role: 'list' });
  for (const iv of hist.intervals) {
    const a = day(iv.from);
    const b = iv.to ? day(iv.to) : last;
    const seg = el('span', {
      class: `st-${iv.status}`, role: 'listitem', title: `${iv.from} – ${iv.to || 'now'}: ${iv.status} (${iv.snapshot})`,
    });
    seg.style.width = `${(100 * (b - a + 1)) / span}%`;
    seg.addEventListener('click', () => setDate(iv.from));
    bar.append(seg);
  }
  const now = el('span', { class: 'now' });
  now.style.left = `${(100 * (day(date) - first)) / span}%`;
  bar.append(now);
  const list = el('ul', { class: 'small' }, ...hist.intervals.map((iv) => el('li', {}, `${iv.from} – ${iv.to || 'now'}: ${iv.status}`)));
  return el('div', {}, bar, list);
}

// ---- the timeline chart -------------------------------------------------------------------------

let chart = null;
function renderChart() {
  const rows = state.epochs;
  const xs = rows.map((r) => r.day * 86400);
  const data = [xs, rows.map((r) => r.occupied_km2), rows.map((r) => r.contested_km2), rows.map((r) => r.line_km)];
  const box = $('chart');
  const width = Math.max(240, box.clientWidth || 340);
  const marker = {
    hooks: {
      draw: [(u) => {
        const d = state.mode === 'diff' ? [state.from, state.to] : [state.date];
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 1.5 * devicePixelRatio;
        for (const s of d) {
          if (!s) continue;
          const x = u.valToPos(day(s) * 86400, 'x', true);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
  const opts = {
    width, height: 190, plugins: [marker],
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, km: {} },
    series: [
      { label: 'date', value: (u, v) => (v === null ? '' : iso(Math.round(v / 86400))) },
      { label: 'occupied km²', stroke: COLORS.occupied, width: 2, scale: 'km2', value: (u, v) => (v === null ? '–' : Math.round(v).toLocaleString('en-US')) },
      { label: 'contested km²', stroke: COLORS.contested, width: 2, scale: 'km2', value: (u, v) => (v === null ? '–' : Math.round(v).toLocaleString('en-US')) },
      { label: 'line km', stroke: COLORS.line, width: 1.5, dash: [4, 3], scale: 'km', value: (u, v) => (v === null ? '–' : Math.round(v).toLocaleString('en-US')) },
    ],
    axes: [
      {},
      { scale: 'km2', size: 60, values: (u, vals) => vals.map((v) => `${Math.round(v / 1000)}k`) },
      { scale: 'km', side: 1, size: 44, grid: { show: false } },
    ],
  };
  if (chart) chart.destroy();
  chart = new uPlot(opts, data, box);
  chart.over.addEventListener('click', () => {
    const x = chart.posToVal(chart.cursor.left, 'x');
    if (!Number.isFinite(x)) return;
    const d = Math.round(x / 86400);
    const first = state.snapshotDays[0];
    const last = state.snapshotDays[state.snapshotDays.length - 1];
    const target = iso(Math.min(last, Math.max(first, d)));
    if (state.mode === 'diff') {
      state.to = target;
      $('date').value = target;
      refresh();
    } else setDate(target);
  });
}

// ---- controls ----------------------------------------------------------------------------------

function setupSlider() {
  const days = state.snapshotDays;
  const slider = $('slider');
  slider.min = String(days[0]);
  slider.max = String(days[days.length - 1]);
  slider.step = '1';
  $('ticks').replaceChildren(...days.map((d) => el('option', { value: String(d) })));
  const span = Math.max(1, days[days.length - 1] - days[0]);
  $('ticks-bar').replaceChildren(...days.map((d) => {
    const t = el('span', { title: iso(d) });
    t.style.left = `${(100 * (d - days[0])) / span}%`;
    return t;
  }));
  for (const id of ['date', 'from']) {
    $(id).min = iso(days[0]);
    $(id).max = iso(days[days.length - 1]);
  }
}

function syncControls() {
  const diff = state.mode === 'diff';
  $('mode-date').setAttribute('aria-pressed', String(!diff));
  $('mode-diff').setAttribute('aria-pressed', String(diff));
  $('from-field').hidden = !diff;
  $('diff').hidden = !diff;
  $('date-caption').textContent = diff ? 'To' : 'Date';
  const shown = diff ? state.to : state.date;
  $('date').value = shown;
  $('from').value = state.from || '';
  $('slider').value = String(day(shown));
  $('slider').setAttribute('aria-valuetext', shown);
}

/** Redraws what the state asks for; resolves true when it is drawn (false when overtaken). */
async function refresh() {
  syncControls();
  writeUrl();
  if (chart) chart.redraw(false);
  const drawn = state.mode === 'diff' ? drawDiff() : drawDate();
  const ok = await drawn.catch(() => false);
  if (ok) window.__frontline.drawn += 1;
  if (ok && state.point) showPoint().catch(() => {});
  return ok;
}

function clampDay(d) {
  const days = state.snapshotDays;
  return Math.min(days[days.length - 1], Math.max(days[0], d));
}

/** Sets the shown date (the `to` date in diff mode) and draws it, with the step marks. */
async function setDate(s) {
  performance.mark('fl:step-start');
  if (state.mode === 'diff') {
    state.to = s;
    // `from` stays before `to`: moved `to` before it, `from` becomes the snapshot before `to`
    // (the first one if none), so that the page and its URL always show from <= to.
    if (day(state.from) > day(s)) state.from = iso(snapshotBefore(day(s)));
  } else state.date = s;
  const ok = await refresh();
  if (ok) {
    performance.mark('fl:step-drawn');
    const m = performance.measure('fl:step', 'fl:step-start', 'fl:step-drawn');
    window.__frontline.lastStepMs = m.duration;
  }
  return ok;
}

/** The last snapshot day before day `d` (the first snapshot day if there is none). */
function snapshotBefore(d) {
  const days = state.snapshotDays;
  const prev = days.filter((x) => x < d);
  return prev.length ? prev[prev.length - 1] : days[0];
}

function neighbourSnapshot(dir) {
  const cur = day(state.mode === 'diff' ? state.to : state.date);
  const days = state.snapshotDays;
  const next = dir > 0 ? days.find((d) => d > cur) : [...days].reverse().find((d) => d < cur);
  return next === undefined ? null : iso(next);
}

async function play() {
  state.playing = !state.playing;
  $('play').innerHTML = state.playing ? '&#10074;&#10074;' : '&#9654;';
  $('play').setAttribute('aria-label', state.playing ? 'pause' : 'play through the snapshots');
  while (state.playing) {
    let next = neighbourSnapshot(1);
    if (!next) next = iso(state.snapshotDays[0]);
    await setDate(next);
    await new Promise((r) => setTimeout(r, 600));
  }
}

function setupControls() {
  const slider = $('slider');
  let pending = null;
  slider.addEventListener('input', () => {
    const s = iso(clampDay(Number(slider.value)));
    slider.setAttribute('aria-valuetext', s);
    $('date').value = s;
    clearTimeout(pending);
    pending = setTimeout(() => setDate(s), 60);
  });
  $('date').addEventListener('change', () => {
    if ($('date').value) setDate(iso(clampDay(day($('date').value))));
  });
  $('from').addEventListener('change', () => {
    if (!$('from').value) return;
    state.from = iso(clampDay(day($('from').value)));
    // A `from` after `to`: the two are swapped (as a link with them reversed is).
    if (day(state.from) > day(state.to)) [state.from, state.to] = [state.to, state.from];
    refresh();
  });
  $('play').addEventListener('click', play);
  $('mode-date').addEventListener('click', () => setMode('date'));
  $('mode-diff').addEventListener('click', () => setMode('diff'));
  $('source').addEventListener('change', () => selectSource($('source').value, null));
  $('scenario').addEventListener('change', () => chooseScenario($('scenario').value).catch(() => {}));
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    const typing = t instanceof HTMLInputElement && t.type !== 'range' || t instanceof HTMLSelectElement;
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === ' ' && !(t instanceof HTMLButtonElement)) {
      e.preventDefault();
      play();
    } else if (e.key === ']' || e.key === '[') {
      const s = neighbourSnapshot(e.key === ']' ? 1 : -1);
      if (s) setDate(s);
    } else if (e.key === 'd') {
      setMode(state.mode === 'diff' ? 'date' : 'diff');
    }
  });
}

function setMode(mode) {
  if (mode === state.mode) return;
  state.mode = mode;
  const days = state.snapshotDays;
  if (mode === 'diff') {
    state.to = state.date;
    const prev = days.filter((d) => d < day(state.to));
    state.from = state.from || iso(prev.length ? prev[prev.length - 1] : days[0]);
  } else {
    state.date = state.to || state.date;
  }
  refresh();
}

/** Starts what the first view of source `name` needs while the map loads its style and basemap:
 * the timeline, snapshots and border. (A TileJSON asked for before the epochs are known could name
 * a date with no snapshot, a 404 in the console; it waits for the timeline.) */
function prefetch(name) {
  const src = encodeURIComponent(name);
  return {
    source: name,
    data: Promise.all([
      api(`/v1/timeline?source=${src}`),
      api(`/v1/snapshots?source=${src}`),
      api(`/v1/border?source=${src}&precision=5`),
    ]),
  };
}

async function selectSource(name, view, prefetched = null) {
  const fallback = state.sources.find((s) => s.default) || state.sources[0];
  let src = state.sources.find((s) => s.name === name);
  if (!src) {
    if (name !== null && name !== undefined) notice('source', `no source ${shown(name)} (sources: ${state.sources.map((s) => s.name).join(', ')}); showing '${fallback.name}'`);
    src = fallback;
  }
  state.source = src.name;
  $('source').value = src.name;
  $('source').title = src.name;
  const banner = $('synthetic');
  banner.hidden = !src.synthetic;
  banner.textContent = src.synthetic
    ? `SYNTHETIC DATA: the source '${src.name}' is made up (${src.description || 'not real'}). Do not read anything real into this map.`
    : '';
  const [timeline, snapshots, border] = await busy(prefetched?.source === src.name ? prefetched.data : prefetch(src.name).data);
  state.epochs = timeline.rows.map((r) => ({ ...r, day: day(r.date) }));
  state.snapshotDays = [...new Set(snapshots.snapshots.map((s) => day(s.date)))].sort((a, b) => a - b);
  borderArea = border.frontline.area_km2;
  map.getSource('border').setData(border);
  const days = state.snapshotDays;
  const last = days[days.length - 1];
  const before = (d) => {
    const prev = days.filter((x) => x < d);
    return prev.length ? prev[prev.length - 1] : days[0];
  };
  if (view) {
    state.mode = view.mode;
    if (view.mode === 'diff') {
      state.to = urlDate('to', view.to, last);
      state.from = urlDate('from', view.from, before(day(state.to)));
      if (day(state.from) > day(state.to)) {
        notice('from', `${state.from} is after to=${state.to}; the two are swapped`);
        [state.from, state.to] = [state.to, state.from];
      }
      state.date = state.to;
      if (view.date !== null) notice('date', `not used in diff mode (from and to are); ${shown(view.date)} ignored`);
    } else {
      state.date = urlDate('date', view.date, last);
      state.to = state.date;
      state.from = iso(before(day(state.date)));
      for (const p of ['from', 'to']) if (view[p] !== null) notice(p, `not used in date mode (date is); ${shown(view[p])} ignored`);
    }
  } else {
    // Another source chosen in the page: its last snapshot (and the one before, for a diff).
    state.date = iso(last);
    state.to = state.date;
    state.from = iso(before(last));
  }
  setupSlider();
  renderChart();
  return refresh();
}

let borderArea = null;

async function main() {
  const view = readUrl();
  map = new maplibregl.Map({
    container: 'map',
    style: style(),
    bounds: view.map ? undefined : UKRAINE_BOUNDS,
    center: view.map?.center,
    zoom: view.map?.zoom,
    minZoom: MIN_ZOOM,
    maxZoom: MAX_ZOOM,
    attributionControl: { compact: true, customAttribution: 'Natural Earth · frontline' },
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  window.__frontline = { map, state, lastStepMs: null, drawn: 0, setDate, notices };
  const mapLoaded = map.once('load');
  setupControls();
  // The API is asked while the map loads its style and basemap (fl:occupied-drawn waits for both).
  const [sources, scenarios] = await busy(Promise.all([api('/v1/sources'), api('/v1/scenarios').catch(() => ({ scenarios: [] }))]));
  state.sources = sources.sources;
  $('source').replaceChildren(...state.sources.map((s) => el('option', { value: s.name, title: s.name }, s.synthetic ? `${s.name} (synthetic)` : s.name)));
  state.point = view.point;
  state.scenarios = scenarios.scenarios;
  $('scenario').replaceChildren(el('option', { value: '' }, 'none'),
    ...state.scenarios.map((sc) => el('option', { value: sc.id, title: sc.title || sc.id }, `${sc.ceasefire_date} ${sc.title || sc.id.slice(0, 12)}`)));
  let scenario = null;
  if (view.scenario !== null) {
    scenario = state.scenarios.find((sc) => sc.id === view.scenario) || null;
    if (!scenario) notice('scenario', `no saved scenario ${shown(view.scenario)}; none shown`);
    else if (view.source === null && view.date === null && view.to === null) {
      // A scenario's link alone opens its source on its ceasefire date (in diff mode, as `to`).
      view.source = scenario.source;
      if (view.mode === 'diff') view.to = scenario.ceasefire_date;
      else view.date = scenario.ceasefire_date;
    }
  }
  const firstSource = state.sources.find((s) => s.name === view.source) || state.sources.find((s) => s.default) || state.sources[0];
  const first = firstSource.name;
  const prefetched = prefetch(first);
  // The first date's TileJSON too, where the link's date (or the last snapshot's) is one the
  // page will show as is: the tiles can then be asked for as soon as the map has loaded.
  const firstDate = view.date ?? firstSource.last;
  // (A calendar date written as YYYY-MM-DD is the only string that survives day() and iso().)
  const calendarDate = firstDate && !Number.isNaN(day(firstDate)) && iso(day(firstDate)) === firstDate;
  if (view.mode === 'date' && calendarDate && firstSource.first <= firstDate && firstDate <= firstSource.last) askEarly(first, firstDate);
  await mapLoaded;
  if (view.map) {
    // MapLibre keeps the whole map in view: a centre it cannot show is moved; say so.
    const c = map.getCenter();
    const [lon, lat] = view.map.center;
    if (Math.abs(c.lat - lat) > 1e-4 || Math.abs(((c.lng - lon) % 360 + 540) % 360 - 180) > 1e-4) {
      notice('map', `centre ${lat}/${lon} cannot be shown at zoom ${view.map.zoom} (the map ends at latitude \u00b185.05); showing ${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
    }
  }
  await selectSource(view.source, view, prefetched);
  if (state.mode === 'diff' || (map.getLayer('occupied') && map.queryRenderedFeatures({ layers: ['occupied'] }).length)) {
    performance.mark('fl:occupied-drawn');
  }
  await showScenario(scenario?.id || null);
  map.on('moveend', writeUrl);
  map.on('click', (e) => {
    state.point = [Number(e.lngLat.lng.toFixed(6)), Number(e.lngLat.lat.toFixed(6))];
    writeUrl();
    showPoint().catch(() => {});
  });
  new ResizeObserver(() => {
    if (chart) chart.setSize({ width: Math.max(240, $('chart').clientWidth), height: 190 });
  }).observe($('chart'));
  document.body.dataset.ready = 'true';
}

// Never a blank page: whatever fails is shown, and the page says it is done.
window.__frontlineReady = main().catch((e) => {
  $('error').textContent = `The dashboard could not start: ${e.message || e}`;
  $('error').hidden = false;
  document.body.dataset.ready = 'error';
});
