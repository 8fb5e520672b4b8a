//! The warp routes of the JSON API. Each handler parses its parameters, calls one library
//! function and serialises the answer; every failure is a [`Problem`].

use super::App;
use super::params::{Params, number};
use super::problem::{Problem, recover};
use crate::output::answers;
use crate::query::layers::{LayerKind, LayerOptions, layer_geojson};
use crate::query::{self, InForceRef, SourceRef};
use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
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

pub(super) fn bytes_response(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut res: Reply = Response::new(body.into().into());
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// A CSV answer (`text/csv; charset=utf-8`) with the sources it used as headers
/// ([`super::insert_sources`]).
pub(super) fn csv_response(body: String, sources: &[SourceRef]) -> Reply {
    let mut res = bytes_response(StatusCode::OK, "text/csv; charset=utf-8", body);
    super::insert_sources(res.headers_mut(), sources);
    res
}

pub(super) fn json_response<T: Serialize>(value: &T) -> Reply {
    match crate::num::to_vec(value) {
        Ok(v) => bytes_response(StatusCode::OK, "application/json", v),
        Err(e) => Problem::from(e).into_response(),
    }
}

pub(super) fn answer(r: Result<Reply, Problem>) -> Reply {
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
    let history_get = warp::path!("v1" / "history")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(history);
    let ingest = warp::path!("v1" / "snapshots")
        .and(warp::post())
        .and(raw)
        .and(super::auth::authorized())
        .and(warp::ext::optional::<super::conditional::Preconditions>())
        .and(header_text("content-type"))
        .and(header_text("content-length"))
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
    let describe = warp::path!("v1" / "sources" / String)
        .and(warp::put())
        .and(raw)
        .and(super::auth::authorized())
        .and(warp::ext::optional::<super::conditional::Preconditions>())
        .and(header_text("content-type"))
        .and(header_text("content-length"))
        .and(warp::body::stream())
        .and(with_app.clone())
        .then(super::sources::put);
    let snapshots = warp::path!("v1" / "snapshots")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(snapshots);
    let snapshot = warp::path!("v1" / "snapshots" / String)
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(snapshot);
    let source = warp::path!("v1" / "sources" / String)
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(source);
    let agreement = warp::path!("v1" / "agreement")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .then(super::agreement::on_date);
    let agreement_timeline = warp::path!("v1" / "agreement" / "timeline")
        .and(warp::get())
        .and(raw)
        .and(header_text("accept"))
        .and(with_app.clone())
        .then(super::agreement::timeline);
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
    let scenario_preview = warp::path!("v1" / "scenarios" / "preview")
        .and(warp::post())
        .and(raw)
        .and(header_text("content-type"))
        .and(header_text("content-length"))
        .and(warp::body::stream())
        .and(with_app.clone())
        .then(super::scenarios::preview);
    let scenario_create = warp::path!("v1" / "scenarios")
        .and(warp::post())
        .and(raw)
        .and(super::auth::authorized())
        .and(header_text("content-type"))
        .and(header_text("content-length"))
        .and(warp::body::stream())
        .and(with_app.clone())
        .then(super::scenarios::create);
    let scenario_list = warp::path!("v1" / "scenarios")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .then(super::scenarios::list);
    let scenario_presets = warp::path!("v1" / "scenarios" / "presets")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .map(super::scenarios::presets);
    let scenario_get = warp::path!("v1" / "scenarios" / String)
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .then(super::scenarios::get);
    let scenario_layer = warp::path!("v1" / "scenarios" / String / "layers" / String)
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .then(super::scenarios::layer);
    let scenario_point = warp::path!("v1" / "scenarios" / String / "point")
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .then(super::scenarios::point);
    let scenario_diff = warp::path!("v1" / "scenarios" / String / "diff" / String)
        .and(warp::get())
        .and(raw)
        .and(with_app.clone())
        .then(super::scenarios::diff);
    let scenarios = scenario_preview
        .or(scenario_create)
        .unify()
        .or(scenario_list)
        .unify()
        .or(scenario_presets)
        .unify()
        .or(scenario_get)
        .unify()
        .or(scenario_layer)
        .unify()
        .or(scenario_point)
        .unify()
        .or(scenario_diff)
        .unify()
        .boxed();
    let openapi = warp::path!("openapi.json")
        .and(warp::get())
        .map(|| json_response(&super::openapi::document()));
    let healthz = warp::path!("healthz")
        .and(warp::get())
        .map(|| json_response(&answers::Health { status: "ok" }));
    let readyz = warp::path!("readyz").and(warp::get()).and(with_app.clone()).map(readyz);
    let metrics = warp::path!("metrics")
        .and(warp::get())
        .and(with_app.clone())
        .map(metrics);
    let border = warp::path!("v1" / "border")
        .and(warp::get())
        .and(raw)
        .and(with_app)
        .map(border);
    let dashboard = warp::path!("dashboard" / String)
        .and(warp::get())
        .and(header_text("accept-encoding"))
        .map(|name: String, enc: Option<String>| super::dashboard::asset_reply(&name, enc.as_deref()));
    // A browser gets the dashboard; any other client the index of the API.
    let index = warp::path::end()
        .and(warp::get())
        .and(header_text("accept"))
        .and(header_text("accept-encoding"))
        .map(|accept: Option<String>, enc: Option<String>| {
            // Nothing acceptable: the default form, the JSON index (RFC 9110 §12.5.1).
            if let Some("text/html") =
                super::negotiate::preferred(accept.as_deref(), &["application/json", "text/html"])
            {
                return super::dashboard::page_reply(enc.as_deref());
            }
            let mut res = json_response(&answers::RouteIndex {
                name: "frontline",
                dashboard: "/ (from a browser: Accept: text/html)",
                openapi: "/openapi.json",
                paths: super::table::ROUTES.map(|r| r.path).to_vec(),
            });
            res.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Accept"));
            res
        });

    // Boxed in two halves: the nested filter types otherwise exceed the compiler's recursion limit.
    let first = coverage
        .or(history_get.boxed())
        .unify()
        .or(ingest.boxed())
        .unify()
        .or(diff)
        .unify()
        .or(sources)
        .unify()
        .or(describe.boxed())
        .unify()
        .or(snapshots)
        .unify()
        .or(snapshot)
        .unify()
        .or(source)
        .unify()
        .or(layers)
        .unify()
        .or(agreement)
        .unify()
        .or(agreement_timeline)
        .unify()
        .boxed();
    first
        .or(scenarios)
        .unify()
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
        .or(border)
        .unify()
        .or(dashboard)
        .unify()
        .or(index)
        .unify()
        .recover(recover)
        .unify()
}

fn coverage(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(
            &raw,
            &[
                "lon", "lat", "date", "datetime", "source", "sources", "distance", "known_at", "raw",
            ],
        )?;
        let catalog = app.catalog_for(&p)?;
        let at = p.lon_lat()?;
        let when = p.required_when()?;
        let distance = p.flag("distance")?;
        let raw = p.flag("raw")?;
        if p.get("sources").is_some() {
            // Every source's verdict (`sources=all` or a list): not the one-source hot path.
            if p.get("source").is_some() {
                return Err(Problem::parameter("sources", "give either source or sources, not both"));
            }
            let sources = super::agreement::sources_param(&p)?;
            let a = crate::query::sources::point_agreement(&catalog, sources.as_deref(), when, at, distance, raw)?;
            return Ok(json_response(&a));
        }
        let a = query::point_json_of(&catalog, p.get("source"), when, at, distance, raw)?;
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
                "from_datetime",
                "to_datetime",
                "source",
                "to_source",
                "min_area_km2",
                "precision",
                "by_region",
                "raw",
                "known_at",
            ],
        )?;
        let catalog = app.catalog_for(&p)?;
        let by_region = p.flag("by_region")?;
        let from = p.required_when_of("from", "from_datetime")?;
        let to = p.required_when_of("to", "to_datetime")?;
        let min_area = match p.get("min_area_km2") {
            Some(v) => number("min_area_km2", v, 0.0, 1e7)?,
            None => DEFAULT_MIN_AREA_KM2,
        };
        let precision = precision_param(&p)?;
        let d = diff_of(
            &catalog,
            p.get("source"),
            from,
            p.get("to_source"),
            to,
            min_area,
            p.flag("raw")?,
        )?;
        let regions = if by_region {
            let source = p.get("to_source").or(p.get("source"));
            Some(crate::analytics::regions::diff_breakdown(&catalog, source, &d)?)
        } else {
            None
        };
        let body = diff_geojson(&d, precision, regions.as_ref()).map_err(Problem::internal)?;
        Ok(bytes_response(StatusCode::OK, "application/geo+json", body))
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
        Ok(json_response(&answers::Sources {
            sources: query::sources(&app.catalog()),
        }))
    })())
}

/// `GET /v1/sources/{name}`: one source as `GET /v1/sources` lists it (a declared one too): what
/// the `Location` of `PUT /v1/sources/{name}` names.
fn source(name: String, raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        Params::parse(&raw, &[])?;
        let name = super::sources::percent_decoded(&name);
        query::sources(&app.catalog())
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| json_response(&s))
            .ok_or_else(|| {
                Problem::not_found(
                    "unknown-source",
                    format!("no source '{name}' is loaded or declared (GET /v1/sources lists them; PUT /v1/sources/{{name}} creates one)"),
                )
            })
    })())
}

/// `GET /v1/snapshots/{id}`: one snapshot (`source:YYYY-MM-DD`, with its day's publications) or
/// one publication (`source:YYYY-MM-DD@<published_at>`), as `GET /v1/snapshots` and the ingest
/// answer name them: what the `Location` of `POST /v1/snapshots` names.
fn snapshot(id: String, raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(&raw, &["known_at"])?;
        let id = super::sources::percent_decoded(&id);
        let unknown = || {
            Problem::not_found(
                "unknown-snapshot",
                format!(
                    "no snapshot '{id}': an id is source:YYYY-MM-DD (a day's snapshot) or source:YYYY-MM-DD@<published_at> (a publication), as GET /v1/snapshots?source=... lists them"
                ),
            )
        };
        let Some((source, rest)) = id.split_once(':') else {
            return Err(unknown());
        };
        let catalog = app.catalog_for(&p)?;
        let publications = query::publications(&catalog, Some(source))?;
        let (snapshot, publications) = if rest.contains('@') {
            (
                None,
                publications.into_iter().filter(|x| x.id == id).collect::<Vec<_>>(),
            )
        } else {
            let day = query::snapshots(&catalog, Some(source))?
                .into_iter()
                .find(|x| x.snapshot.id == id);
            let date = day.as_ref().map(|d| d.snapshot.date);
            (day, publications.into_iter().filter(|x| Some(x.date) == date).collect())
        };
        if snapshot.is_none() && publications.is_empty() {
            return Err(unknown());
        }
        Ok(json_response(&answers::SnapshotResource {
            edges: crate::geodesy::EDGES,
            snapshot,
            publications,
        }))
    })())
}

fn snapshots(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(&raw, &["source", "known_at"])?;
        let catalog = app.catalog_for(&p)?;
        let list = query::snapshots(&catalog, p.get("source"))?;
        let publications = query::publications(&catalog, p.get("source"))?;
        Ok(json_response(&answers::Snapshots {
            edges: crate::geodesy::EDGES,
            snapshots: list,
            publications,
        }))
    })())
}

fn timeline(raw: String, accept: Option<String>, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(
            &raw,
            &[
                "source",
                "from",
                "to",
                "date",
                "datetime",
                "by_region",
                "raw",
                "known_at",
            ],
        )?;
        let catalog = app.catalog_for(&p)?;
        let ask = query::timeline::TimelineAsk {
            source: p.get("source"),
            from: p.date("from")?,
            to: p.date("to")?,
            when: p.when()?,
            by_region: p.flag("by_region")?,
            raw: p.flag("raw")?,
        };
        // Nothing acceptable: the default form, JSON (RFC 9110 §12.5.1).
        let csv = super::negotiate::preferred(accept.as_deref(), &["application/json", "text/csv"]) == Some("text/csv");
        let answer = query::timeline::timeline_of(&catalog, &ask)?;
        let source = SourceRef::new(answer.source);
        use query::timeline::TimelineRows;
        if csv {
            let out = match &answer.rows {
                TimelineRows::Areas(rows) => csv_rows(query::TIMELINE_CSV_HEADER, rows.iter().map(|r| r.to_csv())),
                TimelineRows::Regions(rows) => csv_rows(
                    crate::analytics::regions::REGION_TIMELINE_CSV_HEADER,
                    rows.iter().map(|r| r.to_csv()),
                ),
            };
            return Ok(csv_response(out, &[source]));
        }
        let on = answer.on.as_ref().map(|o| (o.date, o.instant, &o.age));
        match answer.rows {
            TimelineRows::Areas(rows) => Ok(json_response(&answers::Timeline::of(source, rows).on(on))),
            TimelineRows::Regions(rows) => Ok(json_response(&answers::Timeline::of(source, rows).on(on))),
        }
    })())
}

/// A CSV document: the header line, then the rows (each with its line end).
fn csv_rows(header: &str, rows: impl Iterator<Item = String>) -> String {
    let mut out = format!("{header}\n");
    for r in rows {
        out.push_str(&r);
    }
    out
}

fn readyz(app: Arc<App>) -> Reply {
    let c = &app.catalog();
    let snapshots: usize = c.sources.values().map(|s| s.snapshots.len()).sum();
    let (computed, total) = c
        .sources
        .values()
        .flat_map(|s| s.epochs.iter())
        .fold((0, 0), |(d, t), e| (d + usize::from(e.state.is_computed()), t + 1));
    let ready = computed == total;
    let answer = answers::Readiness {
        status: if ready { "ready" } else { "loading" },
        sources: c.sources.len(),
        snapshots,
        repairs_applied: c.report.repairs.len(),
        // The directory's name only: no answer names an absolute server path.
        geodata: c
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        last_reload: app.live.last_reload(),
    };
    if ready {
        return json_response(&answer);
    }
    // Not ready: a 503 problem like every other 5xx (an id, logged), carrying the readiness.
    let readiness = serde_json::to_value(&answer).unwrap_or_default();
    let mut res: Reply = Problem::not_ready(readiness, computed, total).into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
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
                    app.live.reloads_ok.load(Ordering::Relaxed) as f64,
                ),
                (
                    "{outcome=\"refused\"}".into(),
                    app.live.reloads_failed.load(Ordering::Relaxed) as f64,
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
        Gauge {
            name: "frontline_stored_scenario_computations_total",
            help: "Stored scenarios computed on the live state (once per scenario and state, however many requests asked at once).",
            samples: vec![(
                String::new(),
                app.scenario_computations_done.load(Ordering::Relaxed) as f64,
            )],
        },
        Gauge {
            name: "frontline_scenario_computations_in_progress",
            help: "Scenarios (previews and stored ones) being computed now, of the --max-scenario-computations places.",
            samples: vec![(String::new(), app.scenario_computations_in_progress() as f64)],
        },
    ];
    bytes_response(StatusCode::OK, "text/plain; version=0.0.4", app.metrics.render(&gauges))
}

fn layers(kind: String, raw: String, accept_encoding: Option<String>, app: Arc<App>) -> Reply {
    answer((|| {
        let kind = LayerKind::parse(&kind).ok_or_else(|| {
            Problem::not_found(
                "unknown-layer",
                format!("unknown layer '{kind}'; layers: coverage, occupied, contested, line"),
            )
        })?;
        let p = Params::parse(
            &raw,
            &[
                "date",
                "datetime",
                "source",
                "bbox",
                "simplify_m",
                "precision",
                "raw",
                "known_at",
            ],
        )?;
        let when = p.required_when()?;
        let catalog = app.catalog_for(&p)?;
        let (f, date) = catalog.resolve(p.get("source"), when)?;
        let mut opts = LayerOptions {
            datetime: when.instant(),
            ..LayerOptions::default()
        };
        if let Some(b) = p.get("bbox") {
            opts.bbox = Some(parse_bbox(b)?);
        }
        if let Some(s) = p.get("simplify_m") {
            opts.simplify_m = Some(number("simplify_m", s, 0.0, 100_000.0)?);
        }
        opts.precision = precision_param(&p)?;
        opts.raw = p.flag("raw")?;
        // The answer depends only on what is in force, the date asked and the options: hash them.
        let info = InForceRef::new(&f);
        let mut h = Sha256::new();
        h.update(kind.as_str());
        h.update(serde_json::to_vec(&info).unwrap_or_default());
        h.update(f.epoch.from.to_string());
        h.update(date.to_string());
        h.update(format!("{:?}", when.instant()));
        h.update(format!(
            "{:?}|{:?}|{}|{}",
            opts.bbox, opts.simplify_m, opts.precision, opts.raw
        ));
        let key = hex::encode(h.finalize())[..32].to_string();
        let cached = app.layer_cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let layer = match cached {
            Some(c) => c,
            None => {
                let json = Bytes::from(layer_geojson(&f, date, kind, &opts).map_err(Problem::internal)?);
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

/// Whether an Accept-Encoding value allows gzip (RFC 9110 §12.5.3: its own member, else `*`;
/// a q=0 refuses it).
pub(super) fn accepts_gzip(v: &str) -> bool {
    super::negotiate::chooses_coding(v, "gzip")
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
    // Its corners are positions: checked by the one coordinate type.
    let corner = |lon: &str, lat: &str| {
        crate::model::LonLat::parse(lon, lat).map_err(|e| Problem::parameter("bbox", format!("bbox '{s}': {e}")))
    };
    let (min, max) = (corner(parts[0], parts[1])?, corner(parts[2], parts[3])?);
    let v = [min.lon(), min.lat(), max.lon(), max.lat()];
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

/// `GET /v1/border[?source=][&precision=]`: the recognized border a source is measured against.
fn border(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(&raw, &["source", "precision"])?;
        let precision = precision_param(&p)?;
        let catalog = app.catalog();
        let (entry, source) = crate::query::border::border_asked(&catalog, p.get("source"))?;
        let body = crate::query::border::border_geojson(entry, source, precision).map_err(Problem::internal)?;
        Ok(bytes_response(StatusCode::OK, "application/geo+json", body))
    })())
}

/// `GET /v1/history?lon=&lat=[&source=]`: one point's status over every snapshot.
fn history(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(&raw, &["lon", "lat", "source", "known_at", "raw"])?;
        let at = p.lon_lat()?;
        let a = query::history::point_history_of(&*app.catalog_for(&p)?, p.get("source"), at, p.flag("raw")?)?;
        Ok(json_response(&a))
    })())
}

/// A request body read whole (ingest, scenarios), with the place it holds among the large
/// bodies (dropped with it).
pub(super) struct WholeBody {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The place among the large bodies, when it is one.
    pub _place: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// Reads a body that is parsed whole, up to `max` bytes (`what` names the limit's setting):
/// a declared length over it is a 413 before anything is read, and so is a body that grows
/// past it. A large body (over `batch::LARGE_BODY_BYTES`, or of unknown length) first waits
/// for a place among `Config::max_large_bodies`, so that memory stays bounded however many
/// arrive at once.
pub(super) async fn read_whole(
    app: &super::App,
    content_length: Option<String>,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    max: u64,
    what: &str,
) -> Result<WholeBody, Problem> {
    let over = || Problem::too_large(format!("request body exceeds {max} bytes ({what})"));
    let declared = content_length.and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(over());
    }
    let place = super::batch::large_body_place(app, declared).await?;
    let pace = super::stream::BodyPace::of(&app.config);
    let mut out = Vec::new();
    let mut body = std::pin::pin!(super::stream::paced(super::stream::warp_body(body), max, pace));
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            let p = Problem::from_body_io(&e);
            if p.status == 413 { over() } else { p }
        })?;
        out.extend_from_slice(&chunk);
    }
    Ok(WholeBody {
        bytes: out,
        _place: place,
    })
}
