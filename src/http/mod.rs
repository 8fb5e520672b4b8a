//! The HTTP API over the engine: warp routes for the JSON endpoints, a streaming handler for CSV
//! batch classification, problem+json errors, CORS, metrics and one log line per request, on a
//! hyper server with header-read timeouts and graceful shutdown.
//!
//! Handlers only parse parameters, call one library function and serialise its answer.

pub mod metrics;
pub mod openapi;
pub mod params;
pub mod problem;
mod routes;
mod stream;

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
    /// Largest GeoJSON request body accepted, bytes (held and parsed whole).
    pub max_json_body_bytes: u64,
    /// Most points accepted in one batch.
    pub max_points: u64,
    /// Origins allowed by CORS (`*` for any); empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Time allowed to read a request's headers (also bounds idle keep-alive connections).
    pub header_read_timeout: Duration,
    /// Time in-flight requests get to finish after a shutdown signal.
    pub shutdown_grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body_bytes: 256 << 20,
            max_json_body_bytes: 64 << 20,
            max_points: 10_000_000,
            cors_origins: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// What every handler shares: the loaded catalog, the settings, the counters and the cache of
/// rendered layers.
#[derive(Debug)]
pub struct App {
    /// The loaded state (immutable).
    pub catalog: Arc<Catalog>,
    /// Settings.
    pub config: Config,
    /// Counters.
    pub metrics: Metrics,
    layer_cache: Mutex<HashMap<String, Arc<routes::CachedLayer>>>,
}

impl App {
    /// Wraps a loaded catalog.
    pub fn new(catalog: Arc<Catalog>, config: Config) -> Arc<App> {
        Arc::new(App {
            catalog,
            config,
            metrics: Metrics::default(),
            layer_cache: Mutex::new(HashMap::new()),
        })
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
        let timeout = app.config.header_read_timeout;
        let app = app.clone();
        let warp_service = warp_service.clone();
        let service =
            hyper::service::service_fn(move |req: Request<Incoming>| dispatch(app.clone(), warp_service.clone(), req));
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

/// Every request: CORS, the route (streaming CSV classification, or warp), metrics, one log line.
async fn dispatch<S>(app: Arc<App>, mut warp_service: S, req: Request<Incoming>) -> Result<Response<Body>, Infallible>
where
    S: Service<Request<Incoming>, Response = warp::reply::Response, Error = Infallible>,
{
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let origin = req.headers().get(header::ORIGIN).cloned();
    let route = metrics::route_of(&path);

    let mut res = if method == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        preflight(&app, origin.as_ref())
    } else if method == Method::POST && path == "/v1/classify" && is_csv(&req) {
        stream::classify_csv(app.clone(), req).await
    } else {
        match warp_service.call(req).await {
            Ok(r) => boxed(r),
            Err(never) => match never {},
        }
    };
    if let Some(o) = origin.as_ref().filter(|o| origin_allowed(&app, o)) {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, X-Frontline-Snapshot, X-Frontline-Synthetic"),
        );
    }
    let status = res.status().as_u16();
    let latency = start.elapsed();
    app.metrics.record(route, status, latency);
    tracing::info!(method = %method, route = metrics::route_label(route), path = %path, status, latency_us = latency.as_micros() as u64, "request");
    Ok(res)
}

fn is_csv<B>(req: &Request<B>) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| media_type(v) == "text/csv")
}

/// The media type of a Content-Type value, lowercase, without parameters.
pub(crate) fn media_type(v: &str) -> String {
    v.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

fn origin_allowed(app: &App, origin: &HeaderValue) -> bool {
    let o = origin.to_str().unwrap_or("");
    app.config.cors_origins.iter().any(|a| a == "*" || a == o)
}

fn preflight(app: &App, origin: Option<&HeaderValue>) -> Response<Body> {
    if !origin.is_some_and(|o| origin_allowed(app, o)) {
        let p = Problem::new(
            StatusCode::FORBIDDEN,
            "cors-forbidden",
            "origin not allowed by this server's CORS settings",
        );
        return p
            .into_response::<Bytes>()
            .map(|b| http_body_util::Full::new(b).map_err(|e| match e {}).boxed());
    }
    let mut res = Response::new(http_body_util::Empty::new().map_err(|e| match e {}).boxed());
    *res.status_mut() = StatusCode::NO_CONTENT;
    let h = res.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type, accept, accept-encoding, if-none-match"),
    );
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    res
}
