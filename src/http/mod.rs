//! The HTTP API over the engine: warp routes for the JSON endpoints, a streaming handler for CSV
//! batch classification, problem+json errors, CORS, metrics and one log line per request, on a
//! hyper server with header-read timeouts and graceful shutdown.
//!
//! Handlers only parse parameters, call one library function and serialise its answer.

mod agreement;
pub mod auth;
mod batch;
pub mod conditional;
pub mod dashboard;
pub mod head_guard;
pub mod ingest;
pub mod metrics;
pub mod negotiate;
pub mod openapi;
pub mod params;
pub mod problem;
mod routes;
pub use routes::routes;
mod flights;
mod scenarios;
mod sources;
mod stream;
pub mod table;
pub mod tiles;

use crate::catalog::Catalog;
use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use metrics::Metrics;
use problem::Problem;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tower_service::Service;
use warp::http::{HeaderValue, Method, Request, Response, StatusCode, header};

/// Errors of a response body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The body of every response.
pub type Body = BoxBody<Bytes, BoxError>;

/// Settings of the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body accepted, bytes (CSV bodies are streamed).
    pub max_body_bytes: u64,
    /// Largest GeoJSON request body accepted, bytes (read as a stream of features).
    pub max_json_body_bytes: u64,
    /// Largest ingest body accepted (`POST /v1/snapshots`), bytes: read whole and parsed into a
    /// tree, so kept far below the batch limits (real daily snapshots are under 1 MB).
    pub max_ingest_body_bytes: u64,
    /// Largest scenario document accepted (`POST /v1/scenarios`, `/v1/scenarios/preview`), bytes.
    pub max_scenario_body_bytes: u64,
    /// Scenarios computed at once (`POST /v1/scenarios/preview` needs no token, and 16 zones of
    /// 500 km cost seconds of CPU): a further one is a 503 with `Retry-After`, never queued.
    pub max_scenario_computations: usize,
    /// Most vertices in a scenario's negotiated exclusions together (`POST /v1/scenarios/preview`
    /// and `POST /v1/scenarios`): more is a 413 `scenario-too-large`.
    pub max_scenario_exclusion_vertices: usize,
    /// Longest a scenario sent in a request is computed: then a 503
    /// `scenario-computation-deadline` with `Retry-After`.
    pub scenario_deadline: Duration,
    /// Most points accepted in one batch.
    pub max_points: u64,
    /// Origins allowed by CORS (`*` for any); empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Time allowed to read a request's headers (also bounds idle keep-alive connections).
    pub header_read_timeout: Duration,
    /// Time in-flight requests get to finish after a shutdown signal.
    pub shutdown_grace: Duration,
    /// The bearer token that allows `POST /v1/snapshots`; `None`: ingest is off.
    pub ingest_token: Option<String>,
    /// The dates admitted for ingested snapshots (see [`crate::geodata::policy`]).
    pub date_window: crate::geodata::policy::DateWindowConfig,
    /// Large bodies (over 1 MiB, or of unknown length) read at once, on every route that reads
    /// a body but CSV classification (streamed); the others wait before reading.
    pub max_large_bodies: usize,
    /// Longest a large body waits for a place among [`Config::max_large_bodies`]; then a 503
    /// with `Retry-After` (never an unbounded wait).
    pub large_body_wait: Duration,
    /// How slowly a request body may arrive, on every route that reads one: the longest wait
    /// for its next bytes, and the grace before [`Config::body_min_rate`] applies. A body too
    /// slow is answered 408 (its place among the large bodies freed).
    pub body_idle_timeout: Duration,
    /// Bytes per second a request body must average once [`Config::body_idle_timeout`] of
    /// waiting for it has passed (time the server itself took is not counted); 0: no minimum.
    pub body_min_rate: u64,
    /// Bound of the vector tile cache, bytes (`tiles`).
    pub tile_cache_bytes: usize,
    /// The public base URL absolute links in answers start with (the TileJSON `tiles`
    /// templates), checked by [`public_base_url`]; `None`: the address the client's connection
    /// reached (never the request's `Host`, which a client may set to anything).
    pub public_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body_bytes: 256 << 20,
            max_json_body_bytes: 64 << 20,
            max_ingest_body_bytes: 16 << 20,
            max_scenario_body_bytes: 4 << 20,
            max_scenario_computations: std::thread::available_parallelism().map_or(1, usize::from),
            max_scenario_exclusion_vertices: crate::scenario::DEFAULT_MAX_EXCLUSION_VERTICES,
            scenario_deadline: Duration::from_secs(crate::scenario::DEFAULT_DEADLINE_S),
            max_points: 10_000_000,
            cors_origins: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
            ingest_token: None,
            date_window: crate::geodata::policy::DateWindowConfig::default(),
            max_large_bodies: 2,
            large_body_wait: Duration::from_secs(300),
            body_idle_timeout: Duration::from_secs(30),
            body_min_rate: 8 << 10,
            tile_cache_bytes: tiles::DEFAULT_TILE_CACHE_BYTES,
            public_url: None,
        }
    }
}

/// What every handler shares: the live state, the settings, the counters and the cache of
/// rendered layers.
#[derive(Debug)]
pub struct App {
    /// The live state ([`crate::live::Live`]): the catalog, its reloads and their outcome.
    pub live: crate::live::Live,
    /// Settings.
    pub config: Config,
    /// Counters.
    pub metrics: Metrics,
    layer_cache: Mutex<HashMap<String, Arc<routes::CachedLayer>>>,
    /// Stored scenarios computed on the live state, by id, each computed once however many
    /// requests ask at once (dropped with the state).
    stored_scenarios: flights::Flights<Arc<crate::scenario::Computed>>,
    /// Rendered layers of stored scenarios, by id, layer and precision (dropped with the state).
    scenario_layers: flights::Flights<Bytes>,
    /// Stored scenarios computed since the start (each cold one once, whatever the requests).
    pub scenario_computations_done: std::sync::atomic::AtomicU64,
    /// Places for large batch bodies being read (`Config::max_large_bodies`).
    large_bodies: Arc<tokio::sync::Semaphore>,
    /// Places for scenarios being computed (`Config::max_scenario_computations`).
    scenario_computations: Arc<tokio::sync::Semaphore>,
    /// Vector tiles: epoch ids of the live catalog, projected layers, rendered tiles.
    tiles: tiles::TileService,
}

impl App {
    /// Wraps a loaded catalog.
    pub fn new(catalog: Arc<Catalog>, config: Config) -> Arc<App> {
        Arc::new(App {
            live: crate::live::Live::new(catalog, config.date_window),
            metrics: Metrics::default(),
            layer_cache: Mutex::new(HashMap::new()),
            stored_scenarios: flights::Flights::new(scenarios::STORED_KEPT, |_| 1),
            scenario_layers: flights::Flights::new(scenarios::LAYER_BYTES_KEPT, Bytes::len),
            scenario_computations_done: std::sync::atomic::AtomicU64::new(0),
            large_bodies: Arc::new(tokio::sync::Semaphore::new(config.max_large_bodies.max(1))),
            scenario_computations: Arc::new(tokio::sync::Semaphore::new(config.max_scenario_computations.max(1))),
            tiles: tiles::TileService::new(config.tile_cache_bytes),
            config,
        })
    }

    /// Scenarios being computed now (places of `Config::max_scenario_computations` taken).
    pub fn scenario_computations_in_progress(&self) -> usize {
        self.config
            .max_scenario_computations
            .max(1)
            .saturating_sub(self.scenario_computations.available_permits())
    }

    /// When the live state went live: the `Last-Modified` of every answer drawn from it.
    pub fn live_since(&self) -> std::time::SystemTime {
        self.live.live_since()
    }

    /// The catalog live now. A request takes it once and answers from it to the end.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.live.catalog()
    }

    /// The catalog a request answers from: the live one, or with `known_at=<instant>` the
    /// catalog as it was loaded at that instant ([`Catalog::as_known_at`]: earlier contents read
    /// back from the sources' `.history/`; the answer's provenance names the file and content
    /// used). An instant after now is refused (nothing is known of it yet).
    pub fn catalog_for(&self, p: &params::Params) -> Result<Arc<Catalog>, problem::Problem> {
        let live = self.catalog();
        match p.known_at()? {
            None => Ok(live),
            Some(t) => {
                crate::catalog::known_at_in_the_past(t).map_err(|why| problem::Problem::parameter("known_at", why))?;
                Ok(Arc::new(live.as_known_at(t)?))
            }
        }
    }

    /// Makes `catalog` the live state (computed first by the caller) and drops the rendered
    /// layers of the old one.
    pub fn swap(&self, catalog: Arc<Catalog>) {
        self.live.swap(catalog);
        self.clear_layers();
    }

    fn clear_layers(&self) {
        self.tiles.catalog_swapped();
        if let Ok(mut cache) = self.layer_cache.lock() {
            cache.clear();
        }
        self.stored_scenarios.clear();
        self.scenario_layers.clear();
    }

    /// Reloads the geodata directory ([`crate::live::Live::reload`]) and drops the rendered
    /// layers when the new state went live.
    ///
    /// # Errors
    /// The first problem, when the reload was refused (the old state keeps serving).
    pub async fn reload(self: &Arc<Self>, why: &str) -> Result<(), String> {
        let r = self.live.reload(why).await;
        if r.is_ok() {
            self.clear_layers();
        }
        r
    }
}

pub use crate::live::ReloadOutcome;

/// Checks a public base URL (`--public-url`): `http` or `https`, a host, an optional port and
/// path prefix, no query, fragment or credentials. Answers it without a trailing `/`.
///
/// # Errors
/// What is wrong with it, in words.
pub fn public_base_url(s: &str) -> Result<String, String> {
    let u = reqwest::Url::parse(s.trim()).map_err(|e| format!("'{s}' is not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("'{s}' must start with http:// or https://"));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(format!("'{s}' names no host"));
    }
    if u.query().is_some() || u.fragment().is_some() || !u.username().is_empty() || u.password().is_some() {
        return Err(format!("'{s}' must have no query, fragment or credentials"));
    }
    Ok(u.as_str().trim_end_matches('/').to_string())
}

/// The address a connection reached on this server (its socket's local address), put in each
/// request's extensions by [`serve`]: the base of absolute links when no public URL is set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionAddr(pub std::net::SocketAddr);

/// The base of absolute links in an answer: the configured public URL, else `http://` and the
/// address the connection reached, else nothing (links relative to this server).
fn link_base<B>(app: &App, req: &Request<B>) -> String {
    match (&app.config.public_url, req.extensions().get::<ConnectionAddr>()) {
        (Some(u), _) => u.clone(),
        (None, Some(ConnectionAddr(a))) => format!("http://{a}"),
        (None, None) => String::new(),
    }
}

fn boxed<B>(res: Response<B>) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    res.map(|b| b.map_err(Into::into).boxed())
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// (up to the configured grace time).
pub async fn serve(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let warp_service = warp::service(routes::routes(app.clone()));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    // What a request gets whose Authorization line hyper's parser refused: what a wrong token
    // gets (see `head_guard`).
    let auth_answer = match auth::authorize(&app, Some(b"Bearer \0")) {
        Ok(()) => Bytes::new(),
        Err(p) => head_guard::problem_answer(
            p.status,
            p.status_code().canonical_reason().unwrap_or("Forbidden"),
            &p.to_bytes(),
        ),
    };
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = io.set_nodelay(true);
        let local = io.local_addr().ok().map(ConnectionAddr);
        let timeout = app.config.header_read_timeout;
        let app = app.clone();
        let warp_service = warp_service.clone();
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            if let Some(a) = local {
                req.extensions_mut().insert(a);
            }
            dispatch(app.clone(), warp_service.clone(), req)
        });
        let io = head_guard::HeadGuard::new(io, auth_answer.clone());
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(io), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: no new connections, waiting for in-flight requests");
    if tokio::time::timeout(app.config.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("grace time over; closing remaining connections");
    }
}

/// Every request: the route table (404, 405 with `Allow`, OPTIONS, HEAD), CORS, conditional
/// requests, the handler (streaming CSV classification, or warp), metrics, one log line.
async fn dispatch<S>(app: Arc<App>, warp_service: S, req: Request<Incoming>) -> Result<Response<Body>, Infallible>
where
    S: Service<Request<Incoming>, Response = warp::reply::Response, Error = Infallible>,
{
    let start = Instant::now();
    let method = req.method().clone();
    // The target's bytes are shared, not copied: the path is read from it for the log line.
    let uri = req.uri().clone();
    let path = uri.path();
    let origin = req.headers().get(header::ORIGIN).cloned();
    let route = table::find(path);

    let mut res = route_request(&app, warp_service, route, req).await;
    let h = res.headers_mut();
    if !app.config.cors_origins.is_empty() {
        // With CORS on, whether an answer carries `Access-Control-*` depends on `Origin` (also
        // with `*`: the origin is echoed): every answer says so, those to requests without an
        // `Origin` and errors included, so that a shared cache never serves one origin's answer
        // to another.
        add_vary(h, "Origin");
    }
    if let Some(o) = origin.as_ref().filter(|o| origin_allowed(&app, o)) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    let status = res.status().as_u16();
    let latency = start.elapsed();
    let label = route.unwrap_or(table::ROUTES.len());
    app.metrics.record(label, status, latency);
    tracing::info!(method = %method, route = metrics::route_label(label), path = %path, status, latency_us = latency.as_micros() as u64, "request");
    Ok(res)
}

/// The response headers a cross-origin script may read (`Access-Control-Expose-Headers`): every
/// header an answer sets that is not CORS-safelisted (Cache-Control, Content-Language,
/// Content-Length, Content-Type, Expires, Last-Modified and Pragma are always readable; listed
/// anyway where answers rely on them). `tests/http_semantics.rs` checks that every
/// `x-frontline-*` header of the answers is here.
pub const EXPOSED_HEADERS: &str = "ETag, Last-Modified, Location, Content-Location, Allow, WWW-Authenticate, \
     X-Frontline-Snapshot, X-Frontline-Synthetic, X-Frontline-Snapshot-Age-Days, X-Frontline-Warning, \
     X-Frontline-Time-Zone, X-Frontline-Dropped-Polygons, X-Frontline-Raw, X-Frontline-Source, \
     X-Frontline-Licence, X-Frontline-Attribution, X-Frontline-Source-Url, X-Frontline-Source-Terms";

fn problem_response(p: Problem) -> Response<Body> {
    p.into_response::<Bytes>()
        .map(|b| http_body_util::Full::new(b).map_err(|e| match e {}).boxed())
}

fn empty_response(status: StatusCode) -> Response<Body> {
    let mut res = Response::new(http_body_util::Empty::new().map_err(|e| match e {}).boxed());
    *res.status_mut() = status;
    res
}

/// The answer of one request by the route table, before CORS and metrics.
async fn route_request<S>(
    app: &Arc<App>,
    mut warp_service: S,
    route: Option<usize>,
    mut req: Request<Incoming>,
) -> Response<Body>
where
    S: Service<Request<Incoming>, Response = warp::reply::Response, Error = Infallible>,
{
    let method = req.method().clone();
    if req.uri() == "*" {
        // `OPTIONS *` asks about the server as a whole (RFC 9110 9.3.7).
        if method == Method::OPTIONS {
            let mut res = empty_response(StatusCode::NO_CONTENT);
            res.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(table::ALLOW_ANY));
            return res;
        }
        return problem_response(Problem::bad_request("the request target '*' is for OPTIONS only"));
    }
    let Some(route) = route.and_then(|i| table::ROUTES.get(i)) else {
        return problem_response(Problem::not_found(
            "not-found",
            "no such route; see /openapi.json for the API",
        ));
    };
    // Built only where an answer carries it (OPTIONS, 405): not on every request.
    let allow = || HeaderValue::from_str(&route.allow()).unwrap_or_else(|_| HeaderValue::from_static("OPTIONS"));
    if method == Method::OPTIONS {
        let allow = allow();
        let origin = req.headers().get(header::ORIGIN).cloned();
        let mut res = if req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
            preflight(app, origin.as_ref(), &allow)
        } else {
            empty_response(StatusCode::NO_CONTENT)
        };
        res.headers_mut().insert(header::ALLOW, allow);
        return res;
    }
    if !route.allows(&method) {
        let mut res = problem_response(Problem::method_not_allowed(format!(
            "method not allowed: {method} on {}; allowed: {}; see /openapi.json",
            route.path,
            route.allow()
        )));
        res.headers_mut().insert(header::ALLOW, allow());
        return res;
    }
    // The bearer token, where the route table asks for it: before anything else of the request.
    if route.checks_token(&method)
        && let Err(p) = auth::Authorized::check(app, &mut req)
    {
        if route.path == "/v1/snapshots" {
            app.metrics
                .ingest_refused
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        return problem_response(p);
    }
    if (method == Method::POST || method == Method::PUT)
        && let Err(p) = batch::identity_encoding(req.headers())
    {
        let mut res = problem_response(p);
        res.headers_mut()
            .insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        return res;
    }
    if (method == Method::POST || method == Method::PUT)
        && let Err(p) = batch::json_charset(req.headers())
    {
        return problem_response(p);
    }
    let head = method == Method::HEAD;
    if head {
        *req.method_mut() = Method::GET;
    }
    let conditional = req.method() == Method::GET && route.validation != table::Validation::None;
    // Preconditions are evaluated on every route: on a GET's answer here, on a write by its
    // handler under the writer lock (it finds them in the request's extensions).
    let preconditions = conditional::Preconditions::of(req.headers());
    let request_headers =
        (req.method() == Method::GET && (conditional || preconditions.any())).then_some(preconditions.clone());
    if method == Method::POST || method == Method::PUT {
        req.extensions_mut().insert(preconditions);
    }
    let last_modified = conditional
        .then(|| conditional::last_modified(app.live_since()))
        .flatten();
    // Answers drawn from the live state alone get a weak tag. Conditions are evaluated on the
    // handler's answer: only a 200, or the 204 of an empty tile, can become a 304 (RFC 9110
    // 13.2.1: preconditions are ignored when the answer without them would not be a 2xx).
    let live_tag = (route.validation == table::Validation::LiveState && conditional).then(|| live_state_tag(app, &req));
    let req_is_get = req.method() == Method::GET;
    let mut res = if method == Method::POST && route.path == "/v1/classify" && is_csv(&req) {
        stream::classify_csv(app.clone(), req).await
    } else if method == Method::POST && route.path == "/v1/classify" {
        batch::classify(app.clone(), req).await
    } else if method == Method::POST && route.path == "/v1/history" {
        batch::history(app.clone(), req).await
    } else if route.path.starts_with("/v1/tiles/") {
        tiles::answer(app, req.uri(), &link_base(app, &req))
    } else if route.path.starts_with("/v1/scenarios/{id}/tiles") {
        tiles::scenario_answer(app, req.uri(), &link_base(app, &req)).await
    } else {
        match warp_service.call(req).await {
            Ok(r) => boxed(r),
            Err(never) => match never {},
        }
    };

    // A route that negotiates says by what, on every answer (a cache keeps the forms apart).
    if req_is_get {
        for by in negotiated_by(route.path) {
            add_vary(res.headers_mut(), by);
        }
    }
    if let Some(h) = request_headers.filter(|_| matches!(res.status(), StatusCode::OK | StatusCode::NO_CONTENT)) {
        let rh = res.headers_mut();
        // A handler's own validator (one per representation) is kept.
        if let Some(tag) = live_tag
            && !rh.contains_key(header::ETAG)
        {
            let tag = representation_tag(&tag, rh);
            rh.insert(header::ETAG, tag);
        }
        // A handler that knows when its content changed (an immutable tile: its snapshot) says
        // so; the others changed when the live state went live.
        let last_modified = match rh.get(header::LAST_MODIFIED) {
            Some(own) => own.to_str().ok().and_then(|v| httpdate::parse_http_date(v).ok()),
            None => last_modified,
        };
        if let Some(lm) = last_modified
            && !rh.contains_key(header::LAST_MODIFIED)
        {
            rh.insert(header::LAST_MODIFIED, conditional::http_date(lm));
        }
        let etag = rh.get(header::ETAG).and_then(|v| v.to_str().ok());
        match h.evaluate(true, etag, true, last_modified) {
            conditional::Decision::Proceed => {}
            conditional::Decision::NotModified => return conditional::not_modified_response(res.headers()),
            conditional::Decision::Failed(field) => {
                return problem_response(Problem::precondition_failed(
                    field,
                    &format!("the current representation of {path}", path = route.path),
                ));
            }
        }
    }
    if head {
        // GET's headers, no body (hyper would not send it either; the length is kept), and no
        // Content-Length where GET's answer has none: a 204 never carries one (RFC 9110 §8.6).
        let len = hyper::body::Body::size_hint(res.body()).exact();
        let (mut parts, _) = res.into_parts();
        if parts.status == StatusCode::NO_CONTENT {
            parts.headers.remove(header::CONTENT_LENGTH);
        } else if let Some(n) = len {
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
        }
        res = Response::from_parts(parts, http_body_util::Empty::new().map_err(|e| match e {}).boxed());
    }
    res
}

/// A `Location` value: `prefix` and `segment` percent-encoded as one path segment (RFC 3986
/// 3.3: every byte but the unreserved ones, the sub-delims, `:` and `@`), so that an id such as
/// `source:2024-06-01@2024-06-01T10:00:00Z` is written as the route reads it.
pub(crate) fn location(prefix: &str, segment: &str) -> HeaderValue {
    let mut out = String::from(prefix);
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&out).unwrap_or_else(|_| HeaderValue::from_static("/"))
}

/// The strong validator of the writable state (the sources and their snapshots) as it is live
/// now: what `PUT /v1/sources/{name}` and `POST /v1/snapshots` evaluate `If-Match` /
/// `If-None-Match` against (under the writer lock) and answer in `ETag`. It changes with every
/// change of the live state.
pub(crate) fn state_tag(app: &App) -> HeaderValue {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(app.live.live_since_nanos().to_le_bytes());
    let tag = format!("\"state-{}\"", &hex::encode(h)[..24]);
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"state\""))
}

/// Evaluates a write's preconditions (kept in `pre` by the dispatcher) against the writable
/// state live now ([`state_tag`], `Last-Modified` when it went live); the caller holds the
/// writer lock. `exists`: whether the target has a current representation (`If-Match: *`
/// needs one, `If-None-Match: *` refuses it).
///
/// # Errors
/// 412 `precondition-failed`, naming the field that failed.
pub(crate) fn check_write(
    app: &App,
    pre: Option<&conditional::Preconditions>,
    exists: bool,
    what: &str,
) -> Result<(), Problem> {
    let Some(pre) = pre.filter(|p| p.any()) else {
        return Ok(());
    };
    let tag = state_tag(app);
    // The instant the live state changed, in whole seconds as HTTP dates are, also while that
    // second has not come yet (a change is recorded a second apart from the one before: a GET
    // then gives no Last-Modified, but a write must still see that the state changed after a
    // client's If-Unmodified-Since).
    let changed = app.live_since();
    let lm = changed
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| std::time::UNIX_EPOCH + std::time::Duration::from_secs(d.as_secs()));
    match pre.evaluate(false, tag.to_str().ok(), exists, lm) {
        conditional::Decision::Failed(field) => Err(Problem::precondition_failed(field, what)),
        _ => Ok(()),
    }
}

/// The weak validator of an answer drawn from the live state alone: it changes when the live
/// state does, and with the request target, `Accept` and the UTC day (answers may say how old
/// a snapshot is). Weak: equal tags promise the same content, not the same bytes.
fn live_state_tag<B>(app: &App, req: &Request<B>) -> HeaderValue {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(app.live.live_since_nanos().to_le_bytes());
    h.update(req.uri().path().as_bytes());
    h.update(b"?");
    h.update(req.uri().query().unwrap_or("").as_bytes());
    h.update(b"|");
    for v in req.headers().get_all(header::ACCEPT) {
        h.update(v.as_bytes());
        h.update(b",");
    }
    h.update(b"|");
    let day = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    h.update(day.to_le_bytes());
    weak_tag(&h.finalize())
}

/// A weak entity tag, `W/"` and the first 12 bytes of `digest` in hex, `"` (written in place:
/// it is on every answer).
fn weak_tag(digest: &[u8]) -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut tag = *b"W/\"000000000000000000000000\"";
    for (i, b) in digest.iter().take(12).enumerate() {
        tag[3 + 2 * i] = HEX[usize::from(b >> 4)];
        tag[4 + 2 * i] = HEX[usize::from(b & 15)];
    }
    HeaderValue::from_bytes(&tag).unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""))
}

/// The request headers a route's answers are chosen by (`Vary`): `/` (the dashboard or the
/// JSON index, the page gzipped when accepted), the timelines (JSON or CSV), the gzipped layers
/// and dashboard files.
fn negotiated_by(path: &str) -> &'static [&'static str] {
    match path {
        "/" => &["Accept", "Accept-Encoding"],
        "/v1/timeline" | "/v1/agreement/timeline" => &["Accept"],
        "/v1/layers/{layer}" | "/dashboard/{asset}" => &["Accept-Encoding"],
        _ => &[],
    }
}

/// Adds `name` to `Vary` unless it is named already, keeping one `Vary` line (a list, RFC 9110
/// §12.5.5: clients that read one line see every member).
fn add_vary(h: &mut warp::http::HeaderMap, name: &'static str) {
    let members: Vec<String> = h
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if members.iter().any(|v| v.eq_ignore_ascii_case(name)) {
        return;
    }
    let line = members
        .iter()
        .map(String::as_str)
        .chain([name])
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(v) = HeaderValue::from_str(&line) {
        h.insert(header::VARY, v);
    }
}

/// The weak validator of one representation: the live-state tag of the request made distinct
/// by the answer's `Content-Type` and `Content-Encoding` (JSON, CSV or GeoJSON, gzip or identity
/// of the same resource never share a tag).
fn representation_tag(live: &HeaderValue, answer: &warp::http::HeaderMap) -> HeaderValue {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(live.as_bytes());
    for name in [header::CONTENT_TYPE, header::CONTENT_ENCODING] {
        h.update(b"|");
        if let Some(v) = answer.get(&name) {
            h.update(v.as_bytes());
        }
    }
    weak_tag(&h.finalize())
}

fn is_csv<B>(req: &Request<B>) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| media_type(v) == "text/csv")
}

/// The sources a CSV answer used, as headers (a CSV body has no room for them): for one source,
/// `x-frontline-source`, `x-frontline-time-zone`, `x-frontline-licence`,
/// `x-frontline-attribution` and `x-frontline-source-url`; for any number,
/// `x-frontline-source-terms`, a JSON array of their [`SourceRef`]s (the members of the JSON
/// answers). Every value is ASCII (RFC 9110 §5.5: other bytes are opaque to clients): a text
/// that is not (a Cyrillic licence, `©`) is sent as an ASCII stand-in followed by its exact
/// UTF-8 text as an RFC 8187 extended value, `<stand-in>; licence*=UTF-8''<percent-encoded>`
/// (the parameter named after the header: `source`, `licence`, `attribution`, `source-url`);
/// the JSON of `x-frontline-source-terms` escapes every non-ASCII character (`\uXXXX`).
///
/// [`SourceRef`]: crate::output::provenance::SourceRef
pub(crate) fn insert_sources(h: &mut warp::http::HeaderMap, sources: &[crate::output::provenance::SourceRef]) {
    if let [one] = sources {
        for (name, value) in [
            ("x-frontline-source", Some(&one.name)),
            ("x-frontline-licence", one.licence.as_ref()),
            ("x-frontline-attribution", one.attribution.as_ref()),
            ("x-frontline-source-url", one.source_url.as_ref()),
        ] {
            let param = name.trim_start_matches("x-frontline-");
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&ascii_header_text(param, v)).ok()) {
                h.insert(name, v);
            }
        }
        h.insert("x-frontline-time-zone", HeaderValue::from_static(one.time_zone));
    }
    if let Some(v) = serde_json::to_string(sources)
        .ok()
        .and_then(|v| HeaderValue::from_str(&ascii_json(&v)).ok())
    {
        h.insert("x-frontline-source-terms", v);
    }
}

/// A text as an ASCII header value: itself when it is ASCII; else an ASCII stand-in (`©` as
/// `(c)`, other characters beyond ASCII as `?`) and the exact text as the RFC 8187 extended
/// value of parameter `param`.
fn ascii_header_text(param: &str, text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 32);
    for c in text.chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            '©' => out.push_str("(c)"),
            '«' | '»' | '“' | '”' | '„' => out.push('"'),
            '‘' | '’' => out.push('\''),
            '–' | '—' => out.push('-'),
            _ => out.push('?'),
        }
    }
    out.push_str("; ");
    out.push_str(param);
    out.push_str("*=UTF-8''");
    for b in text.bytes() {
        // attr-char (RFC 8187 §3.2.1) as is, every other byte percent-encoded.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A JSON text with every character beyond ASCII written as a `\uXXXX` escape (a surrogate
/// pair beyond the BMP): the same JSON value, in ASCII. (Outside strings JSON is ASCII.)
fn ascii_json(json: &str) -> String {
    if json.is_ascii() {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 32);
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// The media type of a Content-Type value, lowercase, without parameters.
pub(crate) fn media_type(v: &str) -> String {
    v.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn origin_allowed(app: &App, origin: &HeaderValue) -> bool {
    let o = origin.to_str().unwrap_or("");
    app.config.cors_origins.iter().any(|a| a == "*" || a == o)
}

/// The request headers a cross-origin script may send (`Access-Control-Allow-Headers`): every
/// header the API reads, the preconditions of reads and of writes (RFC 9110 §13.1) included.
const ALLOWED_REQUEST_HEADERS: &str = "content-type, content-encoding, accept, accept-encoding, if-none-match, if-modified-since, if-match, if-unmodified-since, authorization";

fn preflight(app: &App, origin: Option<&HeaderValue>, allow: &HeaderValue) -> Response<Body> {
    if !origin.is_some_and(|o| origin_allowed(app, o)) {
        let p = Problem::forbidden("cors-forbidden", "origin not allowed by this server's CORS settings");
        return problem_response(p);
    }
    let mut res = empty_response(StatusCode::NO_CONTENT);
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow.clone());
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_REQUEST_HEADERS),
    );
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    res
}

/// Reloads the geodata on every SIGHUP, until the process ends. The handler is installed when
/// this is called (before the server says it listens, so that an early SIGHUP cannot kill it);
/// the future then serves the signals.
#[cfg(unix)]
pub fn reload_on_sighup(app: Arc<App>) -> impl Future<Output = ()> {
    let hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup());
    async move {
        let Ok(mut hup) = hup else {
            tracing::warn!("cannot listen for SIGHUP; reload by signal is off");
            return;
        };
        while hup.recv().await.is_some() {
            let _ = app.reload("SIGHUP").await;
        }
    }
}

/// Reloads `app` when its geodata directory changes ([`crate::live::watch_geodata`]; the first
/// listing is taken when this is called).
pub fn watch_geodata(app: Arc<App>, interval: Duration) -> impl Future<Output = ()> {
    let root = app.catalog().root.clone();
    crate::live::watch_geodata(root, interval, move || {
        let app = app.clone();
        async move {
            let _ = app.reload("geodata directory changed").await;
        }
    })
}

pub use crate::live::geodata_fingerprint;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weak_tag_is_the_hex_of_the_digest_prefix() {
        use sha2::{Digest, Sha256};
        for text in ["", "a", "/v1/coverage?lon=30&lat=50"] {
            let d = Sha256::digest(text.as_bytes());
            let want = format!("W/\"{}\"", &hex::encode(d)[..24]);
            assert_eq!(weak_tag(&d).to_str().unwrap(), want);
        }
    }

    #[test]
    fn header_texts_beyond_ascii_get_a_stand_in_and_an_rfc_8187_value() {
        assert_eq!(ascii_header_text("licence", "CC BY 4.0"), "CC BY 4.0");
        assert_eq!(
            ascii_header_text("licence", "Ліцензія © 2024"),
            "???????? (c) 2024; licence*=UTF-8''%D0%9B%D1%96%D1%86%D0%B5%D0%BD%D0%B7%D1%96%D1%8F%20%C2%A9%202024"
        );
        assert_eq!(
            ascii_json(r#"{"a":"é😀","b":"x"}"#),
            r#"{"a":"\u00e9\ud83d\ude00","b":"x"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&ascii_json(r#"["Ліцензія © 😀"]"#)).unwrap_or_default();
        assert_eq!(v[0], "Ліцензія © 😀");
    }
}
