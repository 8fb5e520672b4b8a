//! The warp routes of the JSON API. Each handler parses its parameters, calls one library
//! function and serialises the answer; every failure is a [`Problem`].

use super::App;
use super::params::{Params, number};
use super::problem::{Problem, recover};
use crate::catalog::check_coordinate;
use crate::query::layers::{LayerKind, LayerOptions, layer_geojson};
use crate::query::{self, InForceRef};
use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use warp::Filter;
use warp::http::{HeaderValue, Response, StatusCode, header};
use warp::reply::Response as Reply;

/// A rendered layer, plain and gzipped.
#[derive(Debug)]
pub struct CachedLayer {
    json: Bytes,
    gzip: Bytes,
}

/// Rendered layers kept (any beyond are evicted).
const LAYER_CACHE_ENTRIES: usize = 64;

fn bytes_response(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut res: Reply = Response::new(body.into().into());
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

fn json_response<T: Serialize>(value: &T) -> Reply {
    match serde_json::to_vec(value) {
        Ok(v) => bytes_response(StatusCode::OK, "application/json", v),
        Err(e) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()).into_response(),
    }
}

fn answer(r: Result<Reply, Problem>) -> Reply {
    r.unwrap_or_else(Problem::into_response)
}

/// A request header as text, or `None`; never a rejection (a value that is not visible ASCII
/// is read lossily, so that it reaches the handler's own check instead of failing the route).
fn header_text(
    name: &'static str,
) -> impl Filter<Extract = (Option<String>,), Error = std::convert::Infallible> + Clone + Send + Sync + 'static {
    warp::header::headers_cloned()
        .map(move |h: warp::http::HeaderMap| h.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()))
}

/// A request header's raw bytes, or `None`; never a rejection.
fn header_bytes(
    name: &'static str,
) -> impl Filter<Extract = (Option<Vec<u8>>,), Error = std::convert::Infallible> + Clone + Send + Sync + 'static {
    warp::header::headers_cloned().map(move |h: warp::http::HeaderMap| h.get(name).map(|v| v.as_bytes().to_vec()))
}

/// All warp routes, with every rejection recovered into a problem. Methods, 404, 405, HEAD and
/// OPTIONS are decided before, by the route table (`table`).
pub fn routes(
    app: Arc<App>,
) -> impl Filter<Extract = (Reply,), Error = std::convert::Infallible> + Clone + Send + Sync + 'static {
    let with_app = warp::any().map(move || app.clone());
    let raw = warp::query::raw().or(warp::any().map(String::new)).unify();

    let coverage = warp::path!("v1" / "coverage")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(coverage);
    let classify = warp::path!("v1" / "classify")
        .and(warp::post())
        .and(raw)
        .and(header_text("content-type"))
        .and(header_text("content-encoding"))
        .and(warp::body::stream())
        .and(with_app.clone())
        .then(classify_geojson);
    let history_get = warp::path!("v1" / "history")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(history);
    let history_post = warp::path!("v1" / "history")
        .and(warp::post())
        .and(raw)
        .and(header_text("content-type"))
        .and(header_text("content-encoding"))
        .and(warp::body::stream())
        .and(with_app.clone())
        .then(history_batch);
    let ingest = warp::path!("v1" / "snapshots")
        .and(warp::post())
        .and(raw)
        .and(header_bytes("authorization"))
        .and(header_text("content-type"))
        .and(header_text("content-encoding"))
        .and(warp::body::stream())
        .and(with_app.clone())
        .then(super::ingest::ingest);
    let diff = warp::path!("v1" / "diff")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(diff);
    let sources = warp::path!("v1" / "sources")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(sources);
    let snapshots = warp::path!("v1" / "snapshots")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(snapshots);
    let layers = warp::path!("v1" / "layers" / String)
        .and(warp::get())
        .and(raw)
        .and(header_text("accept-encoding"))
        .and(with_app.clone())
        .map(layers);
    let timeline = warp::path!("v1" / "timeline")
        .and(warp::get())
        .and(raw)
        .and(header_text("accept"))
        .and(with_app.clone())
        .map(timeline);
    let openapi = warp::path!("openapi.json")
        .and(warp::get())
        .map(|| json_response(&super::openapi::document()));
    let healthz = warp::path!("healthz")
        .and(warp::get())
        .map(|| json_response(&json!({"status": "ok"})));
    let readyz = warp::path!("readyz").and(warp::get()).and(with_app.clone()).map(readyz);
    let metrics = warp::path!("metrics").and(warp::get()).and(with_app).map(metrics);
    let index = warp::path::end().and(warp::get()).map(|| {
        json_response(
            &json!({"name": "frontline", "openapi": "/openapi.json", "paths": super::table::ROUTES.map(|r| r.path)}),
        )
    });

    // Boxed in two halves: the nested filter types otherwise exceed the compiler's recursion limit.
    let first = coverage
        .or(classify)
        .unify()
        .or(history_get.or(history_post).unify().boxed())
        .unify()
        .or(ingest.boxed())
        .unify()
        .or(diff)
        .unify()
        .or(sources)
        .unify()
        .or(snapshots)
        .unify()
        .or(layers)
        .unify()
        .boxed();
    first
        .or(timeline)
        .unify()
        .or(openapi)
        .unify()
        .or(healthz)
        .unify()
        .or(readyz)
        .unify()
        .or(metrics)
        .unify()
        .or(index)
        .unify()
        .recover(recover)
        .unify()
}

fn coverage(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(&raw, &["lon", "lat", "date", "source", "distance"])?;
        let (lon, lat) = p.lon_lat()?;
        let date = p.required_date("date")?;
        let distance = p.flag("distance")?;
        let a = query::point_json(&app.catalog(), p.get("source"), date, lon, lat, distance)?;
        Ok(bytes_response(StatusCode::OK, "application/json", a))
    })())
}

fn diff(raw: String, app: Arc<App>) -> Reply {
    use crate::analytics::diff::{DEFAULT_MIN_AREA_KM2, diff_geojson, diff_of};
    answer((|| {
        let p = Params::parse(
            &raw,
            &[
                "from",
                "to",
                "source",
                "to_source",
                "min_area_km2",
                "precision",
                "by_region",
                "raw",
            ],
        )?;
        let by_region = p.flag("by_region")?;
        let from = p.required_date("from")?;
        let to = p.required_date("to")?;
        let min_area = match p.get("min_area_km2") {
            Some(v) => number("min_area_km2", v, 0.0, 1e7)?,
            None => DEFAULT_MIN_AREA_KM2,
        };
        let precision = precision_param(&p)?;
        let d = diff_of(
            &app.catalog(),
            p.get("source"),
            from,
            p.get("to_source"),
            to,
            min_area,
            p.flag("raw")?,
        )?;
        let regions = if by_region {
            let source = p.get("to_source").or(p.get("source"));
            Some(crate::analytics::regions::diff_breakdown(&app.catalog(), source, &d)?)
        } else {
            None
        };
        Ok(bytes_response(
            StatusCode::OK,
            "application/geo+json",
            diff_geojson(&d, precision, regions.as_ref()),
        ))
    })())
}

/// The `precision` parameter: a whole number of decimals in [0, 15], default 6.
fn precision_param(p: &Params) -> Result<u8, Problem> {
    match p.get("precision") {
        None => Ok(6),
        Some(s) => {
            let v = number("precision", s, 0.0, 15.0)?;
            if v.fract() != 0.0 {
                return Err(Problem::parameter(
                    "precision",
                    format!("precision '{s}' must be a whole number in [0, 15]"),
                ));
            }
            Ok(v as u8)
        }
    }
}

fn sources(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        Params::parse(&raw, &[])?;
        Ok(json_response(&json!({"sources": query::sources(&app.catalog())})))
    })())
}

fn snapshots(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(&raw, &["source"])?;
        let list = query::snapshots(&app.catalog(), p.get("source"))?;
        Ok(json_response(&json!({"snapshots": list})))
    })())
}

fn timeline(raw: String, accept: Option<String>, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(&raw, &["source", "from", "to", "by_region", "raw"])?;
        let (from, to) = (p.date("from")?, p.date("to")?);
        let by_region = p.flag("by_region")?;
        let raw_areas = p.flag("raw")?;
        if let (Some(a), Some(b)) = (from, to)
            && a > b
        {
            return Err(Problem::parameter("from", format!("from {a} is after to {b}")));
        }
        let csv = match accept.as_deref().map(str::trim) {
            None | Some("") => false,
            Some(a) => {
                let types: Vec<String> = a.split(',').map(super::media_type).collect();
                let wants = |t: &str| types.iter().any(|x| x == t);
                if wants("application/json") || wants("*/*") || wants("application/*") {
                    false
                } else if wants("text/csv") || wants("text/*") {
                    true
                } else {
                    return Err(Problem::new(
                        StatusCode::NOT_ACCEPTABLE,
                        "not-acceptable",
                        format!("cannot answer '{a}'; available: application/json, text/csv"),
                    ));
                }
            }
        };
        if by_region {
            use crate::analytics::regions::{REGION_TIMELINE_CSV_HEADER, timeline_by_region};
            let rows = timeline_by_region(&app.catalog(), p.get("source"), from, to, raw_areas)?;
            if csv {
                let mut out = format!("{REGION_TIMELINE_CSV_HEADER}\n");
                for r in &rows {
                    out.push_str(&r.to_csv());
                }
                return Ok(bytes_response(StatusCode::OK, "text/csv; charset=utf-8", out));
            }
            let catalog = app.catalog();
            let src = catalog.source(p.get("source"))?;
            return Ok(json_response(&json!({"source": src.name, "rows": rows})));
        }
        let rows = query::timeline_between(&app.catalog(), p.get("source"), from, to, raw_areas)?;
        if csv {
            let mut out = format!("{}\n", query::TIMELINE_CSV_HEADER);
            for r in &rows {
                out.push_str(&r.to_csv());
            }
            Ok(bytes_response(StatusCode::OK, "text/csv; charset=utf-8", out))
        } else {
            let catalog = app.catalog();
            let src = catalog.source(p.get("source"))?;
            Ok(json_response(&json!({"source": src.name, "rows": rows})))
        }
    })())
}

fn readyz(app: Arc<App>) -> Reply {
    let c = &app.catalog();
    let snapshots: usize = c.sources.values().map(|s| s.snapshots.len()).sum();
    let computed = c
        .sources
        .values()
        .all(|s| s.epochs.iter().all(|e| e.state.is_computed()));
    let mut res = json_response(&json!({
        "status": if computed { "ready" } else { "loading" },
        "sources": c.sources.len(),
        "snapshots": snapshots,
        "repairs_applied": c.report.repairs.len(),
        "geodata": c.root.display().to_string(),
        "last_reload": app.last_reload.lock().ok().and_then(|l| l.clone()),
    }));
    if !computed {
        *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    }
    res
}

fn metrics(app: Arc<App>) -> Reply {
    use super::metrics::Gauge;
    let c = &app.catalog();
    let gauges = [
        Gauge {
            name: "frontline_snapshots_loaded",
            help: "Snapshots loaded, by source.",
            samples: c
                .sources
                .values()
                .map(|s| (format!("{{source=\"{}\"}}", s.name), s.snapshots.len() as f64))
                .collect(),
        },
        Gauge {
            name: "frontline_epochs_computed",
            help: "Epochs whose layers and indexes are computed, by source.",
            samples: c
                .sources
                .values()
                .map(|s| {
                    let n = s.epochs.iter().filter(|e| e.state.is_computed()).count();
                    (format!("{{source=\"{}\"}}", s.name), n as f64)
                })
                .collect(),
        },
        Gauge {
            name: "frontline_reloads_total",
            help: "Reloads of the geodata, by outcome (refused: the previous state kept serving).",
            samples: vec![
                (
                    "{outcome=\"ok\"}".into(),
                    app.metrics.reloads_ok.load(Ordering::Relaxed) as f64,
                ),
                (
                    "{outcome=\"refused\"}".into(),
                    app.metrics.reloads_failed.load(Ordering::Relaxed) as f64,
                ),
            ],
        },
        Gauge {
            name: "frontline_ingests_total",
            help: "Snapshots posted to /v1/snapshots, by outcome.",
            samples: vec![
                (
                    "{outcome=\"live\"}".into(),
                    app.metrics.ingested.load(Ordering::Relaxed) as f64,
                ),
                (
                    "{outcome=\"refused\"}".into(),
                    app.metrics.ingest_refused.load(Ordering::Relaxed) as f64,
                ),
            ],
        },
    ];
    bytes_response(StatusCode::OK, "text/plain; version=0.0.4", app.metrics.render(&gauges))
}

fn layers(kind: String, raw: String, accept_encoding: Option<String>, app: Arc<App>) -> Reply {
    answer((|| {
        let kind = LayerKind::parse(&kind).ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_FOUND,
                "unknown-layer",
                format!("unknown layer '{kind}'; layers: coverage, occupied, contested, line"),
            )
        })?;
        let p = Params::parse(&raw, &["date", "source", "bbox", "simplify_m", "precision", "raw"])?;
        let date = p.required_date("date")?;
        let catalog = app.catalog();
        let f = catalog.in_force(p.get("source"), date)?;
        let mut opts = LayerOptions::default();
        if let Some(b) = p.get("bbox") {
            opts.bbox = Some(parse_bbox(b)?);
        }
        if let Some(s) = p.get("simplify_m") {
            opts.simplify_m = Some(number("simplify_m", s, 0.0, 100_000.0)?);
        }
        opts.precision = precision_param(&p)?;
        opts.raw = p.flag("raw")?;
        // The answer depends only on what is in force and on the options: hash them.
        let info = InForceRef::new(&f);
        let mut h = Sha256::new();
        h.update(kind.as_str());
        h.update(serde_json::to_vec(&info).unwrap_or_default());
        h.update(f.epoch.from.to_string());
        h.update(format!(
            "{:?}|{:?}|{}|{}",
            opts.bbox, opts.simplify_m, opts.precision, opts.raw
        ));
        let key = hex::encode(h.finalize())[..32].to_string();
        let cached = app.layer_cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let layer = match cached {
            Some(c) => c,
            None => {
                let json = Bytes::from(layer_geojson(&f, kind, &opts));
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                let gzip = gz
                    .write_all(&json)
                    .and_then(|_| gz.finish())
                    .map(Bytes::from)
                    .unwrap_or_default();
                let c = Arc::new(CachedLayer { json, gzip });
                if let Ok(mut cache) = app.layer_cache.lock() {
                    if cache.len() >= super::routes::LAYER_CACHE_ENTRIES
                        && let Some(k) = cache.keys().next().cloned()
                    {
                        cache.remove(&k);
                    }
                    cache.insert(key.clone(), c.clone());
                }
                c
            }
        };
        let gzip_ok = accept_encoding.as_deref().is_some_and(accepts_gzip) && !layer.gzip.is_empty();
        // One strong validator per representation (RFC 9110 8.8.3): the gzip body and the
        // identity body differ in bytes, so their tags differ. The dispatcher answers
        // If-None-Match / If-Modified-Since from these headers.
        let etag = if gzip_ok {
            format!("\"{key}-gzip\"")
        } else {
            format!("\"{key}\"")
        };
        let mut res = bytes_response(
            StatusCode::OK,
            "application/geo+json",
            if gzip_ok {
                layer.gzip.clone()
            } else {
                layer.json.clone()
            },
        );
        let h = res.headers_mut();
        if gzip_ok {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300, must-revalidate"),
        );
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        Ok(res)
    })())
}

/// Whether an Accept-Encoding value allows gzip (a q=0 refuses it).
fn accepts_gzip(v: &str) -> bool {
    v.split(',').any(|part| {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = it.any(|p| {
            matches!(
                p.trim().replace(' ', "").as_str(),
                "q=0" | "q=0.0" | "q=0.00" | "q=0.000"
            )
        });
        (coding == "gzip" || coding == "*") && !refused
    })
}

/// `minLon,minLat,maxLon,maxLat` (OGC API Features 17-069r4 §7.15.3, RFC 7946 §5.2): a first
/// longitude greater than the second is a box across the antimeridian (from minLon east to
/// 180, then from -180 to maxLon); the first latitude must not exceed the second.
fn parse_bbox(s: &str) -> Result<[f64; 4], Problem> {
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() != 4 {
        return Err(Problem::parameter(
            "bbox",
            format!("bbox '{s}' must be minLon,minLat,maxLon,maxLat (4 numbers)"),
        ));
    }
    let v = [
        number("bbox", parts[0], -180.0, 180.0)?,
        number("bbox", parts[1], -90.0, 90.0)?,
        number("bbox", parts[2], -180.0, 180.0)?,
        number("bbox", parts[3], -90.0, 90.0)?,
    ];
    if v[1] > v[3] {
        return Err(Problem::parameter(
            "bbox",
            format!(
                "bbox '{s}': the latitudes are reversed: minLat {} is north of maxLat {} (a box is minLon,minLat,maxLon,maxLat; only longitudes may run across the antimeridian)",
                v[1], v[3]
            ),
        ));
    }
    Ok(v)
}

/// `POST /v1/classify` with a GeoJSON FeatureCollection of Points (CSV bodies are streamed by
/// the dispatcher before warp sees them).
async fn classify_geojson(
    raw: String,
    content_type: Option<String>,
    content_encoding: Option<String>,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    app: Arc<App>,
) -> Reply {
    let max = app.config.max_json_body_bytes.min(app.config.max_body_bytes);
    let bytes = match (|| {
        let p = Params::parse(&raw, &["date", "source", "distance"])?;
        let date = p.required_date("date")?;
        p.flag("distance")?;
        app.catalog().in_force(p.get("source"), date)?;
        body_kind(content_type.as_deref(), content_encoding.as_deref(), false)?;
        Ok::<_, Problem>(p)
    })() {
        Err(p) => return p.into_response(),
        Ok(p) => match read_limited(body, max).await {
            Ok(b) => (p, b),
            Err(problem) => return problem.into_response(),
        },
    };
    let (p, body) = bytes;
    answer((|| {
        let date = p.required_date("date")?;
        let catalog = app.catalog();
        let f = catalog.in_force(p.get("source"), date)?;
        let mut doc = feature_collection(&body, app.config.max_points)?;
        let Some(features) = doc.get_mut("features").and_then(Value::as_array_mut) else {
            return Err(Problem::body("'features' is missing or not an array"));
        };
        let snapshot = Value::String(f.snapshot().id());
        let line = p.flag("distance")?.then(|| f.line());
        let computed = f.computed();
        let border = &f.source.border;
        for (i, feat) in features.iter_mut().enumerate() {
            let (lon, lat) = point_of(feat).map_err(|m| Problem::body(format!("feature {i}: {m}")))?;
            check_coordinate(lon, lat).map_err(|e| Problem::body(format!("feature {i}: {e}")))?;
            let located = computed.status_with_waters(border, lon, lat);
            set_property(feat, "status", Value::String(located.status.as_str().into()));
            set_property(feat, "snapshot", snapshot.clone());
            if located.on_boundary {
                set_property(feat, "on_boundary", Value::Bool(true));
            }
            if located.in_waters {
                set_property(feat, "in_waters", Value::Bool(true));
            }
            if let Some(n) = line.and_then(|l| l.nearest(lon, lat)) {
                set_property(feat, "line_of_contact_km", json!(n.km));
                set_property(feat, "line_of_contact_nearest", json!([n.point.x, n.point.y]));
            }
        }
        if let Some(obj) = doc.as_object_mut() {
            obj.insert(
                "frontline".into(),
                serde_json::to_value(InForceRef::new(&f)).unwrap_or(Value::Null),
            );
        }
        let v = serde_json::to_vec(&doc)
            .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
        Ok(bytes_response(StatusCode::OK, "application/geo+json", v))
    })())
}

/// The kind of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// GeoJSON (`application/geo+json` or `application/json`).
    Json,
    /// `text/csv`, header `id,lon,lat`.
    Csv,
}

/// Checks a body's Content-Type (GeoJSON, and CSV where `csv_ok`) and that it is not compressed.
fn body_kind(content_type: Option<&str>, content_encoding: Option<&str>, csv_ok: bool) -> Result<BodyKind, Problem> {
    // Both batch routes take CSV (classify's CSV bodies are streamed before warp sees them).
    let accepted = "text/csv (id,lon,lat), application/geo+json or application/json";
    let kind = match content_type.map(super::media_type).as_deref() {
        Some("application/geo+json" | "application/json") => BodyKind::Json,
        Some("text/csv") if csv_ok => BodyKind::Csv,
        Some(other) => {
            return Err(Problem::unsupported_media_type(format!(
                "Content-Type '{other}' is not accepted; use {accepted}"
            )));
        }
        None => {
            return Err(Problem::unsupported_media_type(format!(
                "Content-Type is required: {accepted}"
            )));
        }
    };
    if content_encoding.is_some_and(|e| !e.eq_ignore_ascii_case("identity")) {
        return Err(Problem::unsupported_media_type(
            "compressed request bodies are not accepted (Content-Encoding)",
        ));
    }
    Ok(kind)
}

/// `GET /v1/history?lon=&lat=[&source=]`: one point's status over every snapshot.
fn history(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(&raw, &["lon", "lat", "source"])?;
        let (lon, lat) = p.lon_lat()?;
        let a = query::history::point_history(&app.catalog(), p.get("source"), lon, lat)?;
        Ok(json_response(&a))
    })())
}

/// `POST /v1/history[?source=]`: histories of many points, a GeoJSON FeatureCollection of Points
/// (each feature gains `properties.history`) or a CSV `id,lon,lat` (one row per interval).
async fn history_batch(
    raw: String,
    content_type: Option<String>,
    content_encoding: Option<String>,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    app: Arc<App>,
) -> Reply {
    use crate::query::history::{HISTORY_CSV_COLUMNS, batch_history, history_csv_rows};
    let max = app.config.max_json_body_bytes.min(app.config.max_body_bytes);
    let checked = (|| {
        let p = Params::parse(&raw, &["source", "csv_safe"])?;
        app.catalog().source(p.get("source"))?;
        let kind = body_kind(content_type.as_deref(), content_encoding.as_deref(), true)?;
        let encoding = match kind {
            BodyKind::Csv => super::stream::csv_charset(content_type.as_deref())?,
            BodyKind::Json => None,
        };
        Ok::<_, Problem>((p, kind, encoding))
    })();
    let (p, kind, encoding) = match checked {
        Ok(v) => v,
        Err(problem) => return problem.into_response(),
    };
    let body = match read_limited(body, max).await {
        Ok(b) => b,
        Err(problem) => return problem.into_response(),
    };
    let run = move || {
        answer((|| {
            let source = p.get("source");
            let at = |e: crate::query::history::BatchError| match e.index {
                Some(i) => Problem::body(format!("point {i}: {}", e.error)),
                None => Problem::from(e.error),
            };
            match kind {
                BodyKind::Csv => {
                    let csv_safe = p.flag("csv_safe")?;
                    let read = |input: &mut dyn std::io::BufRead| {
                        crate::query::csv::read_points(input, app.config.max_points, csv_safe)
                            .map_err(|e| Problem::body(format!("CSV body: {e}")))
                    };
                    let points = match encoding {
                        Some(e) => read(&mut std::io::BufReader::new(crate::query::csv::decoding(&body[..], e)))?,
                        None => read(&mut &body[..])?,
                    };
                    let rows = points.rows;
                    let coords: Vec<(f64, f64)> = rows.iter().map(|r| (r.lon, r.lat)).collect();
                    let hs = batch_history(&app.catalog(), source, &coords).map_err(at)?.histories;
                    let mut out = String::with_capacity(rows.len() * 96);
                    out.push_str(&points.header);
                    out.push(',');
                    out.push_str(HISTORY_CSV_COLUMNS);
                    out.push('\n');
                    for (r, h) in rows.iter().zip(&hs) {
                        history_csv_rows(&r.columns, h, &mut out);
                    }
                    Ok(bytes_response(StatusCode::OK, "text/csv; charset=utf-8", out))
                }
                BodyKind::Json => {
                    let mut doc = feature_collection(&body, app.config.max_points)?;
                    let features = doc
                        .get_mut("features")
                        .and_then(Value::as_array_mut)
                        .ok_or_else(|| Problem::body("'features' is missing or not an array"))?;
                    let coords = features
                        .iter()
                        .enumerate()
                        .map(|(i, f)| point_of(f).map_err(|m| Problem::body(format!("feature {i}: {m}"))))
                        .collect::<Result<Vec<_>, _>>()?;
                    let batch = batch_history(&app.catalog(), source, &coords).map_err(at)?;
                    let (hs, provenance) = (batch.histories, batch.provenance);
                    for (feat, h) in features.iter_mut().zip(hs) {
                        set_property(feat, "history", serde_json::to_value(h).unwrap_or(Value::Null));
                    }
                    if let Some(obj) = doc.as_object_mut() {
                        obj.insert(
                            "frontline".into(),
                            serde_json::to_value(provenance).unwrap_or(Value::Null),
                        );
                    }
                    let v = serde_json::to_vec(&doc)
                        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
                    Ok(bytes_response(StatusCode::OK, "application/geo+json", v))
                }
            }
        })())
    };
    // Parsing and many histories are CPU work: off the async workers.
    tokio::task::spawn_blocking(run).await.unwrap_or_else(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("history task failed: {e}"),
        )
        .into_response()
    })
}

/// Parses a body as a GeoJSON FeatureCollection of at most `max_points` features.
fn feature_collection(body: &[u8], max_points: u64) -> Result<Value, Problem> {
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| Problem::body(format!("invalid JSON at line {}, column {}: {e}", e.line(), e.column())))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(Problem::body(
            "body must be a GeoJSON FeatureCollection of Point features",
        ));
    }
    let Some(features) = doc.get("features").and_then(Value::as_array) else {
        return Err(Problem::body("'features' is missing or not an array"));
    };
    if features.len() as u64 > max_points {
        return Err(Problem::too_large(format!(
            "{} features; at most {max_points} points per request",
            features.len()
        )));
    }
    Ok(doc)
}

/// Sets `properties[name]` of a feature, creating `properties` where it is absent or null.
fn set_property(feat: &mut Value, name: &str, value: Value) {
    let Some(obj) = feat.as_object_mut() else { return };
    let props = obj.entry("properties").or_insert_with(|| json!({}));
    if props.is_null() {
        *props = json!({});
    }
    if let Some(props) = props.as_object_mut() {
        props.insert(name.into(), value);
    }
}

fn point_of(feat: &Value) -> Result<(f64, f64), String> {
    if feat.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err("not a GeoJSON Feature".into());
    }
    let g = feat
        .get("geometry")
        .filter(|g| !g.is_null())
        .ok_or("feature has no geometry")?;
    let t = g.get("type").and_then(Value::as_str).unwrap_or("?");
    if t != "Point" {
        return Err(format!("geometry is a {t}; only Point features can be classified"));
    }
    let c = g
        .get("coordinates")
        .and_then(Value::as_array)
        .ok_or("Point has no coordinates array")?;
    match (c.first().and_then(Value::as_f64), c.get(1).and_then(Value::as_f64)) {
        (Some(x), Some(y)) => Ok((x, y)),
        _ => Err("Point coordinates must be [lon, lat] numbers".into()),
    }
}

/// Reads a body up to `max` bytes; more is a 413 (whether or not Content-Length was sent).
pub(super) async fn read_limited(
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    max: u64,
) -> Result<Vec<u8>, Problem> {
    let mut out = Vec::new();
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| Problem::body(format!("could not read the request body: {e}")))?;
        if out.len() as u64 + chunk.remaining() as u64 > max {
            return Err(Problem::too_large(format!("request body exceeds {max} bytes")));
        }
        while chunk.has_remaining() {
            let c = chunk.chunk();
            out.extend_from_slice(c);
            let n = c.len();
            chunk.advance(n);
        }
    }
    Ok(out)
}
