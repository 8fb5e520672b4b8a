//! The vector tile routes (issue 12): TileJSON documents for a date or a diff between two dates,
//! and MVT tiles addressed by epoch ids (`crate::query::tiles`).
//!
//! Routed by the dispatcher directly (not through warp's filters): a cached tile is a lookup
//! in two maps. Tiles are generated on demand and kept in a least-recently-used cache bounded
//! in bytes (`Config::tile_cache_bytes`); the projected layers of an epoch (or a diff) are kept
//! in a small LRU of their own. Tiles never change (the epoch id names one computed state):
//! `Cache-Control: public, max-age=31536000, immutable` and a strong ETag; an empty tile is a
//! 204 with the same headers. A TileJSON names the epoch in force on its date, so it is
//! revalidated on every use (`no-cache`, strong ETag over its bytes).

use super::problem::Problem;
use super::{App, Body};
use crate::catalog::{Catalog, InForce};
use crate::query::tiles::{
    Prepared, RenderedTile, TileId, diff_tilejson, epoch_id, epoch_modified, layers_epoch, layers_tilejson,
    state_tilejson,
};
use bytes::Bytes;
use http_body_util::BodyExt;
use lru::LruCache;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use warp::http::{HeaderValue, Response, StatusCode, Uri, header};

/// Projected layers kept (states and diffs together).
const PREPARED_ENTRIES: usize = 8;
/// Default bound of the tile cache, bytes.
pub const DEFAULT_TILE_CACHE_BYTES: usize = 128 << 20;
/// What an immutable tile is cached with.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// MVT's media type.
const MVT: &str = "application/vnd.mapbox-vector-tile";

/// Epoch ids of one catalog, by source.
#[derive(Debug)]
struct EpochIndex {
    catalog: Arc<Catalog>,
    /// (source, epoch id) -> the epoch in the source.
    ids: HashMap<(String, String), EpochRef>,
}

/// Where an epoch of a source is: one of its dated epochs, or the epoch of a publication
/// superseded later its day (asked for by an instant, `.../{datetime}.json`).
#[derive(Debug, Clone, Copy)]
enum EpochRef {
    Dated(usize),
    Publication(usize),
}

/// A tile as served.
#[derive(Debug)]
struct CachedTile {
    body: Bytes,
    etag: HeaderValue,
    dropped: usize,
}

/// Tiles by key, bounded in bytes.
#[derive(Debug)]
struct TileCache {
    map: LruCache<String, Arc<CachedTile>>,
    bytes: usize,
    max_bytes: usize,
}

/// The state of the tile routes: epoch ids of the live catalog, projected layers, tiles.
#[derive(Debug)]
pub struct TileService {
    epochs: Mutex<Option<Arc<EpochIndex>>>,
    prepared: Mutex<LruCache<String, Arc<Prepared>>>,
    tiles: Mutex<TileCache>,
}

impl TileService {
    /// An empty service whose tile cache holds at most `max_bytes`.
    pub fn new(max_bytes: usize) -> TileService {
        TileService {
            epochs: Mutex::new(None),
            prepared: Mutex::new(LruCache::new(NonZeroUsize::MIN.saturating_add(PREPARED_ENTRIES - 1))),
            tiles: Mutex::new(TileCache {
                map: LruCache::unbounded(),
                bytes: 0,
                max_bytes,
            }),
        }
    }

    /// Forgets the epoch ids of the old catalog (tiles stay: they describe their epochs for
    /// ever, and are served only while their epoch is live).
    pub fn catalog_swapped(&self) {
        if let Ok(mut e) = self.epochs.lock() {
            *e = None;
        }
    }

    fn index(&self, catalog: &Arc<Catalog>) -> Arc<EpochIndex> {
        if let Ok(e) = self.epochs.lock()
            && let Some(ix) = e.as_ref()
            && Arc::ptr_eq(&ix.catalog, catalog)
        {
            return ix.clone();
        }
        let mut ids = HashMap::new();
        for (name, src) in &catalog.sources {
            for (i, epoch) in src.epochs.iter().enumerate() {
                let f = InForce::of(src, epoch);
                ids.insert((name.clone(), epoch_id(&f)), EpochRef::Dated(i));
            }
            for (i, p) in src.publications.iter().enumerate() {
                let f = InForce {
                    source: src,
                    epoch: &p.epoch,
                    publication: Some(&p.snapshot),
                };
                ids.entry((name.clone(), epoch_id(&f)))
                    .or_insert(EpochRef::Publication(i));
            }
        }
        let ix = Arc::new(EpochIndex {
            catalog: catalog.clone(),
            ids,
        });
        if let Ok(mut e) = self.epochs.lock() {
            *e = Some(ix.clone());
        }
        ix
    }

    fn prepared(&self, key: &str, make: impl FnOnce() -> Prepared) -> Arc<Prepared> {
        if let Some(p) = self.prepared.lock().ok().and_then(|mut c| c.get(key).cloned()) {
            return p;
        }
        let p = Arc::new(make());
        if let Ok(mut c) = self.prepared.lock() {
            c.put(key.to_string(), p.clone());
        }
        p
    }

    fn cached_tile(&self, key: &str) -> Option<Arc<CachedTile>> {
        self.tiles.lock().ok().and_then(|mut c| c.map.get(key).cloned())
    }

    fn keep_tile(&self, key: String, tile: Arc<CachedTile>) {
        if let Ok(mut c) = self.tiles.lock() {
            let size = tile.body.len() + key.len() + 64;
            if size > c.max_bytes {
                return;
            }
            if let Some(old) = c.map.put(key.clone(), tile) {
                c.bytes -= old.body.len() + key.len() + 64;
            }
            c.bytes += size;
            while c.bytes > c.max_bytes {
                match c.map.pop_lru() {
                    Some((k, t)) => c.bytes -= t.body.len() + k.len() + 64,
                    None => break,
                }
            }
        }
    }
}

fn full(status: StatusCode, body: Bytes) -> Response<Body> {
    let mut res = Response::new(http_body_util::Full::new(body).map_err(|e| match e {}).boxed());
    *res.status_mut() = status;
    res
}

fn problem(p: Problem) -> Response<Body> {
    p.into_response::<Bytes>()
        .map(|b| http_body_util::Full::new(b).map_err(|e| match e {}).boxed())
}

/// Answers a request on one of the `/v1/tiles/` routes (GET; HEAD is GET here, the dispatcher
/// drops the body). `base` starts the TileJSON's `tiles` templates (the configured public URL
/// or the address the connection reached; never the request's `Host`).
///
/// Every tile has one URL: a path with a trailing `/`, a z, x or y with a leading zero, or a
/// query string (another cache key for the same immutable tile) is refused, never answered.
pub fn answer(app: &Arc<App>, uri: &Uri, base: &str) -> Response<Body> {
    let path = uri.path();
    let r = (|| {
        one_url(uri)?;
        let segments: Vec<&str> = path.split('/').skip(3).collect(); // "", "v1", "tiles"
        match segments.as_slice() {
            [source, date] => date
                .strip_suffix(".json")
                .ok_or_else(not_found)
                .and_then(|d| state_json(app, source, d, base)),
            [source, "diff", from, to] => to
                .strip_suffix(".json")
                .ok_or_else(not_found)
                .and_then(|t| diff_json(app, source, from, t, base)),
            [source, epoch, z, x, y] => {
                let y = y.strip_suffix(".mvt").ok_or_else(not_found)?;
                let tile = canonical_tile(z, x, y, &format!("/v1/tiles/{source}/{epoch}"))?;
                state_tile(app, source, epoch, tile)
            }
            [source, "diff", a, b, z, x, y] => {
                let y = y.strip_suffix(".mvt").ok_or_else(not_found)?;
                let tile = canonical_tile(z, x, y, &format!("/v1/tiles/{source}/diff/{a}/{b}"))?;
                diff_tile(app, source, a, b, tile)
            }
            _ => Err(not_found()),
        }
    })();
    r.unwrap_or_else(problem)
}

/// Refuses what would give a tile route a second URL: a query string (400) or a trailing `/`
/// (404 naming the canonical path).
fn one_url(uri: &Uri) -> Result<(), Problem> {
    // A bare `?` (an empty query) is refused too: caches key on the whole URL.
    if let Some(q) = uri.query() {
        let name = q.split(['=', '&']).next().unwrap_or(q);
        let got = if q.is_empty() {
            "an empty query string, a bare '?'".to_string()
        } else {
            format!("'{name}'")
        };
        return Err(Problem::parameter(
            if name.is_empty() { "?" } else { name },
            format!("the tile routes take no query parameters (got {got}): each tile and TileJSON has one URL"),
        ));
    }
    let path = uri.path();
    if path.ends_with('/') {
        return Err(not_canonical(path.trim_end_matches('/')));
    }
    Ok(())
}

/// Answers `/v1/scenarios/{id}/tiles.json` (the TileJSON of a stored scenario's layers) and
/// `/v1/scenarios/{id}/tiles/{epoch}/{z}/{x}/{y}.mvt` (its tiles: immutable, as the scenario id
/// names its content and the epoch the tile format). A scenario whose inputs changed since it
/// was stored is refused as `GET /v1/scenarios/{id}` refuses it.
pub async fn scenario_answer(app: &Arc<App>, uri: &Uri, base: &str) -> Response<Body> {
    let path = uri.path();
    let r = async {
        one_url(uri)?;
        let segments: Vec<&str> = path.split('/').skip(3).collect(); // "", "v1", "scenarios"
        match segments.as_slice() {
            [id, "tiles.json"] => {
                let c = super::scenarios::stored(app, id.to_string()).await?;
                scenario_json(app, &c, base)
            }
            [id, "tiles", epoch, z, x, y] => {
                let y = y.strip_suffix(".mvt").ok_or_else(not_found)?;
                let tile = canonical_tile(z, x, y, &format!("/v1/scenarios/{id}/tiles/{epoch}"))?;
                let c = super::scenarios::stored(app, id.to_string()).await?;
                let own = layers_epoch(SCENARIO, c.id());
                if *epoch != own {
                    return Err(Problem::not_found(
                        "unknown-epoch",
                        format!("no epoch '{epoch}' of scenario {id}: its tiles are under epoch {own} (ask its TileJSON again)"),
                    ));
                }
                let key = format!("scenario/{id}/{epoch}/{}/{}/{}", tile.z, tile.x, tile.y);
                serve_tile(app, key, tile, scenario_modified(&c), || scenario_prepared(app, &c))
            }
            _ => Err(not_found()),
        }
    }
    .await;
    r.unwrap_or_else(problem)
}

/// The kind named in a scenario's tile epoch.
const SCENARIO: &str = "scenario";

fn scenario_prepared(app: &Arc<App>, c: &crate::scenario::Computed) -> Arc<Prepared> {
    app.tiles
        .prepared(&format!("{SCENARIO}/{}", c.id()), || Prepared::layers(c.tile_layers()))
}

/// `Last-Modified` of a scenario's tiles: the latest date of a snapshot it rests on (00:00 UTC),
/// a function of its id like the tiles themselves.
fn scenario_modified(c: &crate::scenario::Computed) -> Option<SystemTime> {
    let a = &c.answer;
    let latest = std::iter::once(&a.ceasefire)
        .chain(a.reference_lines.iter().map(|r| &r.provenance))
        .chain(a.withdrawal.iter().map(|w| &w.to_line_of))
        .map(|p| p.in_force.snapshot_date)
        .max()?;
    super::conditional::last_modified(SystemTime::from(latest.and_time(chrono::NaiveTime::MIN).and_utc()))
}

/// The `frontline` member of a scenario's TileJSON: the epoch, the tile settings and the
/// scenario's figures with the provenance of every input (what `GET /v1/scenarios/{id}` gives).
#[derive(serde::Serialize)]
struct ScenarioTileMeta<'a> {
    epoch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    scenario: &'a crate::output::scenario::ScenarioAnswer,
    tiles: crate::query::tiles::TileSettings,
}

fn scenario_json(app: &Arc<App>, c: &crate::scenario::Computed, base: &str) -> Result<Response<Body>, Problem> {
    let id = c.id();
    let epoch = layers_epoch(SCENARIO, id);
    let prepared = scenario_prepared(app, c);
    let a = &c.answer;
    let title = c.scenario.title.as_deref();
    // Synthetic inputs other than the ceasefire's state (which the attribution names itself).
    let synthetic = if a.synthetic && !a.ceasefire.in_force.synthetic {
        " (SYNTHETIC data)"
    } else {
        ""
    };
    let doc = layers_tilejson(
        &prepared,
        format!("frontline scenario {}", &id[..12]),
        format!(
            "Ceasefire scenario {id}{}: source '{}', ceasefire {}; the area of application, excluded areas, security zones, withdrawal area, reference lines and withdrawal line",
            title.map(|t| format!(" ({t})")).unwrap_or_default(),
            a.ceasefire.in_force.source.name,
            a.ceasefire.date,
        ),
        crate::query::tiles::attribution(&a.ceasefire.in_force, Some(&format!("scenario {id}{synthetic}"))),
        format!("{base}/v1/scenarios/{id}/tiles/{epoch}/{{z}}/{{x}}/{{y}}.mvt"),
        ScenarioTileMeta {
            epoch,
            title,
            scenario: a,
            tiles: crate::query::tiles::TileSettings::current(),
        },
    );
    let mut res = json_answer(crate::num::to_vec(&doc)?);
    if let Some(m) = scenario_modified(c) {
        res.headers_mut()
            .insert(header::LAST_MODIFIED, super::conditional::http_date(m));
    }
    Ok(res)
}

/// The tile `z/x/y` names, if it is written the one way it is served (no sign, no leading
/// zero): `08/150/088.mvt` is 404, not a second URL of `8/150/88.mvt`.
fn canonical_tile(z: &str, x: &str, y: &str, prefix: &str) -> Result<TileId, Problem> {
    let tile = TileId::parse(z, x, y)?;
    let canonical = format!("{}/{}/{}", tile.z, tile.x, tile.y);
    if canonical != format!("{z}/{x}/{y}") {
        return Err(not_canonical(&format!("{prefix}/{canonical}.mvt")));
    }
    Ok(tile)
}

fn not_canonical(canonical: &str) -> Problem {
    Problem::not_found(
        "not-canonical",
        format!("not the canonical URL of a tile route: every tile has one URL, here {canonical}"),
    )
}

fn not_found() -> Problem {
    Problem::not_found("not-found", "no such route; see /openapi.json for the API")
}

/// A date of a tile route's path (`YYYY-MM-DD`: the state in force at the end of that day), or
/// an RFC 3339 instant in its place (as published at that instant, as `datetime=` elsewhere).
fn when(name: &str, s: &str) -> Result<crate::model::When, Problem> {
    use crate::model::When;
    if s.len() == 10 {
        return crate::model::parse_date(s)
            .map(When::Date)
            .map_err(|e| Problem::parameter(name, format!("{name}: {e}")));
    }
    crate::model::parse_instant(s).map(When::Instant).map_err(|e| {
        Problem::parameter(
            name,
            format!("{name} '{s}' is neither a date (YYYY-MM-DD) nor an RFC 3339 instant: {e}"),
        )
    })
}

/// The epoch `epoch` of `source` in the live catalog, or a 404 saying why.
fn live_epoch<'a>(ix: &'a EpochIndex, source: &str, epoch: &str) -> Result<InForce<'a>, Problem> {
    let src = ix.catalog.source(Some(source))?;
    let i = ix
        .ids
        .get(&(source.to_string(), epoch.to_string()))
        .copied()
        .ok_or_else(|| {
            Problem::not_found(
                "unknown-epoch",
                format!(
                    "no live epoch '{epoch}' in source '{source}' (an epoch names one computed state; an ingest or reload may have replaced it): ask the TileJSON of the date again"
                ),
            )
        })?;
    match i {
        EpochRef::Dated(i) => Ok(InForce::of(src, src.epochs.get(i).ok_or_else(not_found)?)),
        EpochRef::Publication(i) => {
            let p = src.publications.get(i).ok_or_else(not_found)?;
            Ok(InForce {
                source: src,
                epoch: &p.epoch,
                publication: Some(&p.snapshot),
            })
        }
    }
}

fn tile_response(t: &CachedTile, modified: Option<SystemTime>) -> Response<Body> {
    let empty = t.body.is_empty();
    let mut res = full(
        if empty { StatusCode::NO_CONTENT } else { StatusCode::OK },
        t.body.clone(),
    );
    let h = res.headers_mut();
    if !empty {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    h.insert(header::ETAG, t.etag.clone());
    if let Some(m) = modified {
        h.insert(header::LAST_MODIFIED, super::conditional::http_date(m));
    }
    if t.dropped > 0 {
        h.insert("x-frontline-dropped-polygons", HeaderValue::from(t.dropped));
    }
    res
}

/// `Last-Modified` of a tile drawn from these epochs: the latest of their times
/// ([`epoch_modified`]), so the same for every request, reload and restart.
fn modified(epochs: &[&InForce<'_>]) -> Option<SystemTime> {
    let latest = epochs.iter().map(|f| epoch_modified(f)).max()?;
    super::conditional::last_modified(SystemTime::from(latest))
}

fn serve_tile(
    app: &Arc<App>,
    key: String,
    tile: TileId,
    modified: Option<SystemTime>,
    prepared: impl FnOnce() -> Arc<Prepared>,
) -> Result<Response<Body>, Problem> {
    if let Some(t) = app.tiles.cached_tile(&key) {
        return Ok(tile_response(&t, modified));
    }
    let RenderedTile {
        bytes,
        dropped_polygons,
        ..
    } = prepared().render(tile)?;
    if dropped_polygons > 0 {
        tracing::warn!(tile = %key, dropped_polygons, "polygons not valid after quantisation were dropped");
    }
    let etag = HeaderValue::from_str(&format!("\"{}\"", key.replace('/', "-"))).map_err(Problem::internal)?;
    let t = Arc::new(CachedTile {
        body: Bytes::from(bytes),
        etag,
        dropped: dropped_polygons,
    });
    app.tiles.keep_tile(key, t.clone());
    Ok(tile_response(&t, modified))
}

fn state_tile(app: &Arc<App>, source: &str, epoch: &str, tile: TileId) -> Result<Response<Body>, Problem> {
    let catalog = app.catalog();
    let ix = app.tiles.index(&catalog);
    let f = live_epoch(&ix, source, epoch)?;
    let key = format!("{source}/{epoch}/{}/{}/{}", tile.z, tile.x, tile.y);
    serve_tile(app, key, tile, modified(&[&f]), || {
        app.tiles.prepared(&format!("{source}/{epoch}"), || Prepared::state(&f))
    })
}

fn diff_tile(app: &Arc<App>, source: &str, a: &str, b: &str, tile: TileId) -> Result<Response<Body>, Problem> {
    let catalog = app.catalog();
    let ix = app.tiles.index(&catalog);
    let (fa, fb) = (live_epoch(&ix, source, a)?, live_epoch(&ix, source, b)?);
    let key = format!("{source}/diff/{a}/{b}/{}/{}/{}", tile.z, tile.x, tile.y);
    serve_tile(app, key, tile, modified(&[&fa, &fb]), || {
        app.tiles.prepared(&format!("{source}/diff/{a}/{b}"), || {
            let d = crate::analytics::diff::diff_in_force(&fa, &fb, crate::analytics::diff::DEFAULT_MIN_AREA_KM2);
            Prepared::diff(&d)
        })
    })
}

fn json_answer(body: Vec<u8>) -> Response<Body> {
    let tag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
    let mut res = full(StatusCode::OK, Bytes::from(body));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    res
}

fn state_json(app: &Arc<App>, source: &str, d: &str, base: &str) -> Result<Response<Body>, Problem> {
    let on = when("date", d)?;
    let catalog = app.catalog();
    let (f, on) = catalog.resolve(Some(source), on)?;
    let epoch = epoch_id(&f);
    let prepared = app.tiles.prepared(&format!("{source}/{epoch}"), || Prepared::state(&f));
    let url = format!("{base}/v1/tiles/{source}/{epoch}/{{z}}/{{x}}/{{y}}.mvt");
    let bounds = prepared.bounds.unwrap_or([-180.0, -85.0, 180.0, 85.0]);
    let doc = state_tilejson(&f, on, url, bounds);
    Ok(json_answer(crate::num::to_vec(&doc)?))
}

fn diff_json(app: &Arc<App>, source: &str, from: &str, to: &str, base: &str) -> Result<Response<Body>, Problem> {
    let (from, to) = (when("from", from)?, when("to", to)?);
    let catalog = app.catalog();
    let (fa, fb) = (
        catalog.resolve(Some(source), from)?.0,
        catalog.resolve(Some(source), to)?.0,
    );
    let (a, b) = (epoch_id(&fa), epoch_id(&fb));
    let d = crate::analytics::diff::diff_of(
        &catalog,
        Some(source),
        from,
        None,
        to,
        crate::analytics::diff::DEFAULT_MIN_AREA_KM2,
        false,
    )?;
    let url = format!("{base}/v1/tiles/{source}/diff/{a}/{b}/{{z}}/{{x}}/{{y}}.mvt");
    let prepared = app.tiles.prepared(&format!("{source}/diff/{a}/{b}"), || {
        // The same parts; the tiles name the epochs' first days (what the URL names), not the
        // dates this request asked for.
        let mut of_epochs = d.clone();
        of_epochs.from = crate::output::provenance::AnswerProvenance::new(&fa, fa.epoch.from);
        of_epochs.to = crate::output::provenance::AnswerProvenance::new(&fb, fb.epoch.from);
        Prepared::diff(&of_epochs)
    });
    let bounds = match prepared.bounds {
        Some(b) => b,
        None => app
            .tiles
            .prepared(&format!("{source}/{b}"), || Prepared::state(&fb))
            .bounds
            .unwrap_or([-180.0, -85.0, 180.0, 85.0]),
    };
    let doc = diff_tilejson(&d, (a, b), url, bounds);
    Ok(json_answer(crate::num::to_vec(&doc)?))
}
