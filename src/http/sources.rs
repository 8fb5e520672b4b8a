//! `PUT /v1/sources/{name}`: describe a source (create it, or replace its description) over
//! HTTP, with the ingest token.
//!
//! The body is the source's description, the members of its `source.json`: `licence` and
//! `attribution` (required: every answer that uses the source carries them), `url`,
//! `time_zone` (IANA, default Europe/Kyiv), `baselines`, `border`, `classes`, `description`.
//! Each member is checked by the same code the loader uses ([`crate::geodata::description`]);
//! a bad one is a 422 problem whose `parameter` names it. A good description is written through the
//! store (under the writer lock, durably; the description it replaces is kept in the source's
//! `.history/` as `source.<ns>.json`) and the geodata reloaded, so that answers carry the new
//! terms at once. A source described without a snapshot is *declared*: `GET /v1/sources` lists
//! it, and its first `POST /v1/snapshots` makes it live. A source reading a third-party archive
//! in place keeps its `archive` member (the archive itself is never written).

use super::App;
use super::params::Params;
use super::problem::Problem;
use crate::geodata::description::{DescriptionError, check_terms};
use crate::model::DrawnClass;
use crate::store::{SourceConfig, Store, WriterLock};
use bytes::Buf;
use futures_util::Stream;
use serde_json::{Value, json};
use std::sync::Arc;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response as Reply;

/// Most bytes of a source's description (a few short texts and lists: 64 KiB is far more than
/// any needs; it is parsed whole).
pub const MAX_DESCRIPTION_BYTES: u64 = 64 << 10;

fn bad(field: &'static str, why: impl Into<String>) -> Problem {
    Problem::description(DescriptionError { field, why: why.into() })
}

/// The handler: the token (by the dispatcher) and the name are checked before the body is read.
// One argument per warp filter extraction (as `ingest::handle`): grouped at once below.
#[allow(clippy::too_many_arguments)]
pub async fn put(
    name: String,
    raw: String,
    authorized: Result<super::auth::Authorized, Problem>,
    preconditions: Option<super::conditional::Preconditions>,
    content_type: Option<String>,
    content_length: Option<String>,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    app: Arc<App>,
) -> Reply {
    let headers = (authorized, preconditions, content_type, content_length);
    run(name, raw, headers, body, &app)
        .await
        .unwrap_or_else(Problem::into_response)
}

/// What a description reads of the request head: the dispatcher's token check, the
/// preconditions, Content-Type, Content-Length.
type Headers = (
    Result<super::auth::Authorized, Problem>,
    Option<super::conditional::Preconditions>,
    Option<String>,
    Option<String>,
);

async fn run(
    name: String,
    raw: String,
    (authorized, preconditions, content_type, content_length): Headers,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Send,
    app: &Arc<App>,
) -> Result<Reply, Problem> {
    authorized?;
    Params::parse(&raw, &[])?;
    let name = percent_decoded(&name);
    crate::store::check_name("source", &name).map_err(|e| bad("name", e.to_string()))?;
    match content_type.as_deref().map(super::media_type).as_deref() {
        Some("application/json") => {}
        other => {
            return Err(Problem::unsupported_media_type(format!(
                "Content-Type {} is not accepted; use application/json",
                other.map_or("(none)".to_string(), |o| format!("'{o}'"))
            )));
        }
    }
    let catalog = app.catalog();
    if crate::geodata::embedded::is_embedded(&catalog.root) {
        return Err(Problem::conflict(
            "embedded-geodata",
            "the server runs on the geodata embedded in the binary, which has no directory to write a source into; start it with --data DIR",
        ));
    }
    let body = super::routes::read_whole(
        app,
        content_length,
        body,
        MAX_DESCRIPTION_BYTES,
        "a source's description",
    )
    .await?;
    let config = description(&body.bytes, &catalog)?;
    drop(body);
    // One writer at a time, from the check of the preconditions to the reload: what they were
    // evaluated against is what the write changes.
    let writer = app.live.writer.lock().await;
    let catalog = app.catalog();
    let existed = catalog.sources.contains_key(&name) || catalog.declared.contains_key(&name);
    super::check_write(app, preconditions.as_ref(), existed, &format!("source '{name}'"))?;
    // The one source there is, loaded or declared, when this adds a second one: named the default
    // in the same write unless frontline.json names one (a load refuses several sources without).
    let others: Vec<&String> = catalog.sources.keys().chain(catalog.declared.keys()).collect();
    let only = match (existed, others.as_slice()) {
        (false, [only]) => Some((*only).clone()),
        _ => None,
    };
    let root = catalog.root.clone();
    let source = name.clone();
    // The store's writer lock is held from the write to the reload and, when the directory
    // does not load, to the undoing: no other writer (a CLI import into the new source) can
    // come in between and have its files undone with ours.
    let (replaced, undo, lock) =
        tokio::task::spawn_blocking(move || write(&root, &source, config, only.as_deref())).await??;
    if let Some(Written::Unchanged) = replaced {
        return Ok(answer(
            app,
            StatusCode::OK,
            &name,
            "unchanged: the same description is in place",
            None,
        ));
    }
    if let Err(e) = app
        .live
        .reload_holding(&writer, &format!("description of source '{name}'"))
        .await
    {
        // Never a directory that no longer loads: what was written is undone (the previous
        // description put back, or the new one removed) and the previous state keeps serving.
        let undone = tokio::task::spawn_blocking(move || unwrite(&lock, undo)).await?;
        // What the undoing leaves: the previous description in place and, when the write
        // replaced one, the copy of it kept in `.history/` first (history is append-only).
        let left = match &replaced {
            Some(Written::Replaced(copy)) => format!(
                "the previous description is back in place; the copy of it kept before the write stays in .history/ ({copy})"
            ),
            _ => "nothing was kept".to_string(),
        };
        return Err(Problem::conflict(
            "geodata-would-not-load",
            match undone {
                Ok(()) => {
                    format!("with this description of '{name}' the geodata directory does not load ({e}); {left}")
                }
                Err(u) => format!(
                    "with this description of '{name}' the geodata directory does not load ({e}), and undoing the write failed: {}",
                    u.detail
                ),
            },
        ));
    }
    drop(lock);
    let kept = match replaced {
        Some(Written::Replaced(k)) => Some(k),
        _ => None,
    };
    let status = if existed { StatusCode::OK } else { StatusCode::CREATED };
    Ok(answer(app, status, &name, "written", kept))
}

/// A path segment as sent, percent-decoded (a name with `%` escapes is checked as decoded).
pub(super) fn percent_decoded(segment: &str) -> String {
    form_urlencoded::parse(format!("n={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map_or_else(|| segment.to_string(), |(_, v)| v.into_owned())
}

/// Parses and checks a description: each member's type, then its value; a member that is not
/// one of a description's is refused by name.
fn description(body: &[u8], catalog: &crate::catalog::Catalog) -> Result<SourceConfig, Problem> {
    let doc: Value = crate::geodata::strict_json::from_slice(body)
        .map_err(|e| Problem::body(format!("invalid JSON at line {}, column {}: {e}", e.line(), e.column())))?;
    let Value::Object(obj) = doc else {
        return Err(Problem::body(
            "the body must be a JSON object: the source's description (licence, attribution, url, time_zone, baselines, border, classes, description)",
        ));
    };
    let mut config = SourceConfig::default();
    for (k, v) in obj {
        let text = |field: &'static str| -> Result<String, Problem> {
            match &v {
                Value::String(s) => Ok(s.clone()),
                other => Err(bad(field, format!("{field} must be a string, not {other}"))),
            }
        };
        match k.as_str() {
            "licence" => config.licence = Some(text("licence")?),
            "attribution" => config.attribution = Some(text("attribution")?),
            "url" => config.url = Some(text("url")?),
            "time_zone" => config.time_zone = Some(text("time_zone")?),
            "description" => config.description = Some(text("description")?),
            "border" => config.border = Some(text("border")?),
            "baselines" => {
                config.baselines = serde_json::from_value(v.clone()).map_err(|_| {
                    bad(
                        "baselines",
                        format!("baselines must be a list of baseline names, not {v}"),
                    )
                })?;
            }
            "classes" => {
                let classes: Vec<DrawnClass> = serde_json::from_value(v.clone()).map_err(|_| {
                    bad(
                        "classes",
                        format!("classes must be a list of occupied, contested, liberated, before-2022; not {v}"),
                    )
                })?;
                config.classes = Some(classes);
            }
            "archive" => {
                return Err(bad(
                    "archive",
                    "a source that reads a third-party archive in place is set up in its source.json by hand; over HTTP a source's snapshots are ingested",
                ));
            }
            other => {
                let mut p = bad(
                    "description",
                    format!(
                        "'{other}' is not a member of a source's description; allowed: licence, attribution, url, time_zone, baselines, border, classes, description"
                    ),
                );
                p.parameter = Some(other.to_string());
                return Err(p);
            }
        }
    }
    check_terms(&config, true).map_err(Problem::description)?;
    match &config.border {
        Some(b) if !catalog.borders.contains_key(b) => {
            return Err(bad(
                "border",
                format!(
                    "border '{b}' is not loaded; loaded: {}",
                    catalog.borders.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        None if catalog.borders.len() != 1 => {
            return Err(bad(
                "border",
                "several borders are loaded: say which one this source is measured against",
            ));
        }
        _ => {}
    }
    if let Some(b) = config.baselines.iter().find(|b| !catalog.baselines.contains_key(*b)) {
        return Err(bad(
            "baselines",
            format!(
                "baseline '{b}' is not loaded; loaded: {}",
                catalog.baselines.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Ok(config)
}

/// What writing did.
enum Written {
    /// The same description was in place: nothing written.
    Unchanged,
    /// The old description was kept in `.history/` (its path, relative to the geodata
    /// directory), then replaced.
    Replaced(String),
}

/// What undoes a write: the description file and the bytes it held before (`None`: it was new),
/// and the source's name when the write created its directory.
struct Undo {
    path: std::path::PathBuf,
    old: Option<Vec<u8>>,
    created: Option<String>,
}

/// Writes `source.json` through the store (blocking): under the writer lock, the one it
/// replaces kept in `.history/` first; with it, `frontline.json` naming `only` the default
/// source where this adds a second source and none is named. `None`: a new description.
/// Returns the lock, still held, for the reload and an undoing.
fn write(
    root: &std::path::Path,
    source: &str,
    mut config: SourceConfig,
    only: Option<&str>,
) -> Result<(Option<Written>, Undo, WriterLock), Problem> {
    let store = Store::new(root);
    let lock = store.lock("describe", super::ingest::INGEST_LOCK_WAIT)?;
    let path = store.source_config_file(source)?;
    let old = std::fs::read(&path).ok();
    if let Some(old) = &old {
        // An archive read in place stays so (its `archive` member is not a description's).
        if let Ok(c) = serde_json::from_slice::<SourceConfig>(old) {
            config.archive = c.archive;
        }
    }
    let text = serde_json::to_string_pretty(&config).map_err(Problem::internal)? + "\n";
    let undo = Undo {
        path: path.clone(),
        old: old.clone(),
        created: store
            .source_dir(source)
            .is_ok_and(|d| !d.exists())
            .then(|| source.to_string()),
    };
    if old.as_deref() == Some(text.as_bytes()) {
        return Ok((Some(Written::Unchanged), undo, lock));
    }
    let kept = match old {
        Some(_) => vec![lock.keep(source, &path)?],
        None => Vec::new(),
    };
    let mut files = vec![(path, text.into_bytes())];
    if let Some((settings, bytes)) = only.and_then(|o| store.default_source_write(o)) {
        files.insert(0, (settings, bytes.into_bytes()));
    }
    lock.write_keeping(&files, &kept)?;
    Ok((kept.first().map(|k| Written::Replaced(store.relative(k))), undo, lock))
}

/// Undoes [`write`] after the directory failed to load with it (blocking): the previous
/// description put back, or the new one removed (with the source's directory, whole, when the
/// write created it; else with its directory only if nothing else is in it). The copy kept in
/// `.history/` stays (history is append-only). Under the lock [`write`] took, never released
/// in between.
fn unwrite(lock: &WriterLock, undo: Undo) -> Result<(), Problem> {
    match (undo.old, undo.created) {
        (Some(old), _) => lock.write(&[(undo.path, old)])?,
        (None, Some(source)) => lock.remove_source(&source)?,
        // Its directory goes too when that leaves it empty (the store decides).
        (None, None) => lock.remove(std::slice::from_ref(&undo.path))?,
    }
    Ok(())
}

/// The answer of a write, with the validator of the state after it ([`super::state_tag`]).
fn answer(app: &App, status: StatusCode, name: &str, state: &str, replaced: Option<String>) -> Reply {
    let catalog = &*app.catalog();
    let summary = crate::query::sources(catalog).into_iter().find(|s| s.name == name);
    let live = catalog.sources.contains_key(name);
    let body = json!({
        "source": summary,
        "state": state,
        "live": live,
        "replaced": replaced,
    });
    let mut res: Reply = Reply::new(crate::num::to_vec(&body).unwrap_or_default().into());
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut().insert(header::ETAG, super::state_tag(app));
    // RFC 9110 15.3.2: a 201 names what it created.
    if status == StatusCode::CREATED {
        res.headers_mut()
            .insert(header::LOCATION, super::location("/v1/sources/", name));
    }
    res
}
