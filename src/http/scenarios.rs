//! The handlers of `/v1/scenarios...`: preview (computes, stores nothing), store (bearer token,
//! as ingest), the figures, layers, point and diff of a stored scenario, and the presets. Each
//! parses, calls the engine (`crate::scenario`) off the async threads, and serialises.

use super::App;
use super::params::{Params, number};
use super::problem::Problem;
use crate::scenario::{self, Computed, ScenarioLayer};
use bytes::{Buf, Bytes};
use futures_util::Stream;
use std::sync::Arc;
use warp::http::{HeaderValue, Response, StatusCode, header};
use warp::reply::Response as Reply;

/// Stored scenarios kept computed per live state (the least recently used beyond are evicted).
pub(super) const STORED_KEPT: usize = 32;
/// Bytes of rendered layers of stored scenarios kept per live state (the least recently used
/// beyond are evicted; a layer larger than this is rendered for each request).
pub(super) const LAYER_BYTES_KEPT: usize = 128 << 20;

fn bytes_response(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut res: Reply = Response::new(body.into().into());
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Result<Reply, Problem> {
    crate::num::to_vec(value)
        .map(|v| bytes_response(status, "application/json", v))
        .map_err(Problem::from)
}

fn answer(r: Result<Reply, Problem>) -> Reply {
    r.unwrap_or_else(Problem::into_response)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Problem> + Send + 'static) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f).await?
}

/// A scenario document from a JSON request body (at most `Config::max_scenario_body_bytes`),
/// with the body's place among the large ones, held while the scenario is computed.
async fn document(
    content_type: Option<String>,
    content_length: Option<String>,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    app: &App,
) -> Result<(scenario::Scenario, super::routes::WholeBody), Problem> {
    match content_type.as_deref().map(super::media_type).as_deref() {
        Some("application/json") => {}
        other => {
            return Err(Problem::unsupported_media_type(format!(
                "Content-Type {} is not accepted; a scenario is application/json",
                other.map_or("(none)".to_string(), |o| format!("'{o}'"))
            )));
        }
    }
    let mut body = super::routes::read_whole(
        app,
        content_length,
        body,
        app.config.max_scenario_body_bytes,
        "a scenario document; the server's --max-scenario-body-mb",
    )
    .await?;
    let doc = scenario::parse(&body.bytes)?;
    body.bytes = Vec::new();
    Ok((doc, body))
}

/// The bounds of a scenario sent in a request (`--max-scenario-exclusion-vertices`,
/// `--scenario-deadline-s`), the deadline starting now.
fn limits(app: &App) -> scenario::Limits {
    scenario::Limits {
        max_exclusion_vertices: Some(app.config.max_scenario_exclusion_vertices),
        deadline: Some(scenario::Deadline::from_now(app.config.scenario_deadline)),
    }
}

/// What a 503 `scenario-computations-busy` says to do.
const BUSY: &str = "the server is computing as many scenarios as it computes at once (--max-scenario-computations): try again in a second";

/// A place to compute a scenario in, or a 503 `scenario-computations-busy` with `Retry-After:
/// 1`: computations beyond the server's places are refused at once rather than queued, so that
/// unauthenticated previews (and cold stored scenarios asked for by many ids) cannot pile up CPU
/// work. Requests for one stored scenario share one computation, so one place.
fn computation_place(app: &App) -> Result<tokio::sync::OwnedSemaphorePermit, Problem> {
    app.scenario_computations.clone().try_acquire_owned().map_err(|_| {
        let mut p = Problem::unavailable("scenario-computations-busy", BUSY, "no place to compute a scenario");
        p.retry_after = Some(1);
        p
    })
}

/// `POST /v1/scenarios/preview`: the figures, nothing stored, no token.
pub(super) async fn preview(
    raw: String,
    content_type: Option<String>,
    content_length: Option<String>,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    app: Arc<App>,
) -> Reply {
    answer(
        async {
            Params::parse(&raw, &[])?;
            let (doc, _place) = document(content_type, content_length, body, &app).await?;
            let computing = computation_place(&app)?;
            let cat = app.catalog();
            let limits = limits(&app);
            let c = blocking(move || {
                let _computing = computing;
                Ok(scenario::compute_within(&cat, &doc, &limits)?)
            })
            .await?;
            json(StatusCode::OK, &c.answer)
        }
        .await,
    )
}

/// `POST /v1/scenarios`: computes and stores (bearer token, as ingest); 201 with `Location`, or
/// 200 when the same id was stored before.
pub(super) async fn create(
    raw: String,
    authorized: Result<super::auth::Authorized, Problem>,
    content_type: Option<String>,
    content_length: Option<String>,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    app: Arc<App>,
) -> Reply {
    let r = async {
        authorized?;
        Params::parse(&raw, &[])?;
        let (doc, _place) = document(content_type, content_length, body, &app).await?;
        let cat = app.catalog();
        if crate::geodata::embedded::is_embedded(&cat.root) {
            return Err(Problem::conflict(
                "no-geodata-directory",
                "the server runs on the geodata embedded in the binary, which has no directory to store scenarios in; start it with --data DIR",
            ));
        }
        let computing = computation_place(&app)?;
        let cat2 = cat.clone();
        let limits = limits(&app);
        let (c, written) = blocking(move || {
            let _computing = computing;
            let c = scenario::compute_within(&cat2, &doc, &limits)?;
            let written = scenario::save(&crate::store::Store::new(cat2.root.clone()), &c)?;
            Ok((c, written))
        })
        .await?;
        let c = Arc::new(c);
        remember(&app, &c);
        let mut res = json(
            if written { StatusCode::CREATED } else { StatusCode::OK },
            &c.answer,
        )?;
        if let Ok(v) = HeaderValue::from_str(&format!("/v1/scenarios/{}", c.id())) {
            res.headers_mut().insert(header::LOCATION, v);
        }
        Ok(res)
    }
    .await;
    r.unwrap_or_else(Problem::into_response)
}

fn remember(app: &App, c: &Arc<Computed>) {
    app.stored_scenarios.insert(c.id(), c.clone());
}

/// A stored scenario computed on the live state: kept per state, and computed once however many
/// requests ask for it at once (they all await the one computation), in one of the server's
/// computation places (none free: a 503 with `Retry-After`).
pub(super) async fn stored(app: &Arc<App>, id: String) -> Result<Arc<Computed>, Problem> {
    use futures_util::FutureExt;
    if !scenario::is_id(&id) {
        return Err(scenario::ScenarioError::NotFound(id).into());
    }
    let a = app.clone();
    let key = id.clone();
    let c = app
        .stored_scenarios
        .get(&key, move || {
            async move {
                let computing = computation_place(&a)?;
                let cat = a.catalog();
                let c = blocking(move || {
                    let _computing = computing;
                    let store = crate::store::Store::new(cat.root.clone());
                    Ok(scenario::load(&store, &cat, &id)?)
                })
                .await?;
                a.scenario_computations_done
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(Arc::new(c))
            }
            .boxed()
        })
        .await?;
    // Kept in memory, but served only while its file is as it was read (one stat; the file read
    // and checked again when it changed): a file damaged or removed since is answered as after
    // a restart, never from memory.
    let cat = app.catalog();
    let check = c.clone();
    blocking(move || {
        Ok(scenario::check_stored(
            &crate::store::Store::new(cat.root.clone()),
            &check,
        )?)
    })
    .await?;
    Ok(c)
}

/// `GET /v1/scenarios`: the stored scenarios (id, title, source, dates), for a person to pick one
/// (the dashboard's scenario list).
pub(super) async fn list(raw: String, app: Arc<App>) -> Reply {
    answer(
        async {
            Params::parse(&raw, &[])?;
            let cat = app.catalog();
            let list = blocking(move || Ok(scenario::list(&crate::store::Store::new(cat.root.clone()), &cat)?)).await?;
            json(StatusCode::OK, &list)
        }
        .await,
    )
}

/// `GET /v1/scenarios/{id}`.
pub(super) async fn get(id: String, raw: String, app: Arc<App>) -> Reply {
    answer(
        async {
            Params::parse(&raw, &[])?;
            let c = stored(&app, id).await?;
            json(StatusCode::OK, &c.answer)
        }
        .await,
    )
}

/// `GET /v1/scenarios/{id}/layers/{layer}`.
pub(super) async fn layer(id: String, layer: String, raw: String, app: Arc<App>) -> Reply {
    answer(
        async {
            let p = Params::parse(&raw, &["precision"])?;
            let kind = ScenarioLayer::parse(&layer).ok_or_else(|| {
                Problem::not_found(
                    "unknown-layer",
                    format!("no scenario layer '{layer}'; layers: area, excluded, zones, withdrawal"),
                )
            })?;
            let precision = match p.get("precision") {
                None => 6,
                Some(s) => {
                    let v = number("precision", s, 0.0, 15.0)?;
                    if v.fract() != 0.0 {
                        return Err(Problem::parameter(
                            "precision",
                            format!("precision '{s}' must be a whole number in [0, 15]"),
                        ));
                    }
                    v as u8
                }
            };
            // Its file checked first (a layer kept in memory is not served for a file damaged
            // or removed since).
            stored(&app, id.clone()).await?;
            // Rendered once per scenario, layer and precision however many ask at once, and
            // kept (bounded in bytes) for the live state.
            let key = format!("{id}/{layer}/{precision}");
            let a = app.clone();
            let body = app
                .scenario_layers
                .get(&key, move || {
                    use futures_util::FutureExt;
                    async move {
                        let c = stored(&a, id).await?;
                        blocking(move || {
                            c.layer_geojson(kind, precision)
                                .map(Bytes::from)
                                .map_err(Problem::internal)
                        })
                        .await
                    }
                    .boxed()
                })
                .await?;
            Ok(bytes_response(StatusCode::OK, "application/geo+json", body))
        }
        .await,
    )
}

/// `GET /v1/scenarios/{id}/point?lon=&lat=`.
pub(super) async fn point(id: String, raw: String, app: Arc<App>) -> Reply {
    answer(
        async {
            let p = Params::parse(&raw, &["lon", "lat"])?;
            let at = p.lon_lat()?;
            let c = stored(&app, id).await?;
            let a = blocking(move || Ok(c.locate(at))).await?;
            json(StatusCode::OK, &a)
        }
        .await,
    )
}

/// `GET /v1/scenarios/{id}/diff/{other}`.
pub(super) async fn diff(id: String, other: String, raw: String, app: Arc<App>) -> Reply {
    answer(
        async {
            Params::parse(&raw, &[])?;
            let a = stored(&app, id).await?;
            let b = stored(&app, other).await?;
            let d = blocking(move || Ok(a.diff(&b))).await?;
            json(StatusCode::OK, &d)
        }
        .await,
    )
}

/// `GET /v1/scenarios/presets[?source=&date=|datetime=&memorandum_date=]`: the presets with their
/// citations and readings; with a source and a date (or an instant), each one's document.
pub(super) fn presets(raw: String, app: Arc<App>) -> Reply {
    answer((|| {
        let p = Params::parse(
            &raw,
            &["source", "date", "datetime", "memorandum_date", "memorandum_datetime"],
        )?;
        let when = p.when()?;
        let cat = app.catalog();
        let memo = match p.when_of("memorandum_date", "memorandum_datetime")? {
            Some(w) => Some(scenario::presets::ceasefire_day(
                &cat,
                p.get("source"),
                w,
                "memorandum_datetime",
            )?),
            None => None,
        };
        let date = match when {
            Some(w) => Some(scenario::presets::ceasefire_day(&cat, p.get("source"), w, "datetime")?),
            None => None,
        };
        let source = match (p.get("source"), date) {
            (Some(s), _) => Some(s.to_string()),
            (None, Some(_)) => Some(cat.source(None)?.name.clone()),
            (None, None) => None,
        };
        let mut list = Vec::new();
        for pr in &scenario::presets::PRESETS {
            let doc = match (&source, date) {
                (Some(s), Some(d)) => Some(scenario::presets::document(&cat, pr.name, s, d, memo)?),
                _ => None,
            };
            list.push(crate::output::answers::Preset {
                name: pr.name,
                citation: pr.citation,
                reading: pr.reading,
                scenario: doc,
            });
        }
        // The source the documents are for, with its terms (an unknown one is refused here).
        let source = match &source {
            Some(s) => Some(crate::output::provenance::SourceRef::new(cat.source(Some(s))?)),
            None => None,
        };
        json(
            StatusCode::OK,
            &crate::output::answers::Presets { presets: list, source },
        )
    })())
}
