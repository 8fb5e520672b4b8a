//! `POST /v1/snapshots?source=&date=[&replace=true]`: a new snapshot over HTTP, live at once.
//!
//! Allowed only with the bearer token the server was started with (checked by the dispatcher,
//! [`super::auth`], in constant time, before the body is read; never taken from the query string;
//! no token configured: ingest is off). The body is a GeoJSON FeatureCollection with a `status` per feature. It is read as a
//! stream as it arrives and validated by the load-time reader itself
//! ([`crate::geodata::streamed`]: each feature checked as it comes, never a tree of the body, so
//! that memory grows with the snapshot kept, not with the body's text), so a snapshot refused
//! here would be refused at load and the other way round. A good one is written
//! through the store's one write plan ([`crate::store::WritePlan`], as CLI imports write: under
//! the writer lock shared with them, durably, the replaced file kept in `.history/`) and then swapped into the live catalog, which shares
//! every other computed state with the old one. Requests in flight finish on the catalog they
//! started with. A source that reads a third-party archive in place is read-only (409).

use super::App;
use super::params::Params;
use super::problem::{BodyFinding, Problem};
use crate::geodata::canonical::snapshot_from_streamed;
use crate::geodata::streamed::StreamedDocument;
use crate::geodata::{Finding, StoredSnapshot};
use crate::import::Notes;
use crate::store::{Held, SnapshotDecision, Store, WritePlan};
use bytes::Buf;
use futures_util::Stream;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response as Reply;

/// How long an ingest waits for another writer (a CLI import) before answering 503.
pub const INGEST_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The handler. `authorization` and the parameters are checked before the body is read.
pub async fn ingest(
    raw: String,
    authorized: Result<super::auth::Authorized, Problem>,
    preconditions: Option<super::conditional::Preconditions>,
    content_type: Option<String>,
    content_length: Option<String>,
    body: impl Stream<Item = Result<impl Buf + Send + 'static, warp::Error>> + Send + 'static,
    app: Arc<App>,
) -> Reply {
    let t = Instant::now();
    let headers = Headers {
        authorized,
        preconditions,
        content_type,
        content_length,
    };
    let result = run(raw, headers, body, &app, t).await;
    match result {
        Ok(r) => {
            app.metrics.ingested.fetch_add(1, Ordering::Relaxed);
            r
        }
        Err(p) => {
            app.metrics.ingest_refused.fetch_add(1, Ordering::Relaxed);
            p.into_response()
        }
    }
}

/// The request headers ingest reads.
struct Headers {
    authorized: Result<super::auth::Authorized, Problem>,
    preconditions: Option<super::conditional::Preconditions>,
    content_type: Option<String>,
    content_length: Option<String>,
}

async fn run(
    raw: String,
    headers: Headers,
    body: impl Stream<Item = Result<impl Buf + Send + 'static, warp::Error>> + Send + 'static,
    app: &Arc<App>,
    t: Instant,
) -> Result<Reply, Problem> {
    let Headers {
        authorized,
        preconditions,
        content_type,
        content_length,
    } = headers;
    authorized?;
    let p = Params::parse(&raw, &["source", "date", "replace", "allow_empty"]).map_err(|mut e| {
        if e.parameter.as_deref().is_some_and(|k| k.contains("token")) {
            e.detail = "tokens are never taken from the query string; use Authorization: Bearer".into();
        }
        e
    })?;
    let source = p.required("source")?.to_string();
    let date = p.required_date("date")?;
    let replace = p.flag("replace")?;
    let allow_empty = p.flag("allow_empty")?;
    match content_type.as_deref().map(super::media_type).as_deref() {
        Some("application/geo+json" | "application/json") => {}
        other => {
            return Err(Problem::unsupported_media_type(format!(
                "Content-Type {} is not accepted; use application/geo+json or application/json",
                other.map_or("(none)".to_string(), |o| format!("'{o}'"))
            )));
        }
    }
    admit_date(app, &source, date)?;
    // The body is read as a stream on a blocking thread, each feature validated as it comes
    // (`geodata::streamed`): what stays in memory is the snapshot being made, never a tree of
    // the body. A large one first waits for a place among the large bodies.
    let max = app.config.max_ingest_body_bytes;
    let over = || {
        Problem::too_large(format!(
            "request body exceeds {max} bytes (an ingested snapshot; the server's --max-ingest-body-mb)"
        ))
    };
    let declared = content_length.and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(over());
    }
    let place = super::batch::large_body_place(app, declared).await?;
    let reader = super::stream::body_reader(
        super::stream::warp_body(body),
        max,
        super::stream::BodyPace::of(&app.config),
    );
    let (doc, body_sha) = tokio::task::spawn_blocking(move || read_body(reader))
        .await?
        .map_err(|e| match e {
            BodyError::TooLarge => over(),
            BodyError::Refused(p) => p,
        })?;

    // One writer at a time: the check of the existing date and the swap see the same state.
    let _writer = app.live.writer.lock().await;
    // The preconditions against the state the write would change, under the same lock.
    super::check_write(app, preconditions.as_ref(), true, "the snapshots live now")?;
    let app2 = app.clone();
    let read = ReadBody {
        doc,
        body_sha,
        _place: place,
    };
    // The guard is held until the task's answer is back (end of this function).
    let mut res =
        tokio::task::spawn_blocking(move || store(&app2, &source, date, replace, allow_empty, read, t)).await??;
    // The validator of the state after the write (the lock is still held).
    res.headers_mut().insert(header::ETAG, super::state_tag(app));
    Ok(res)
}

/// Most bytes of JSON of an ingest body's `frontline` member (it is kept in the stored file).
pub const MAX_META_BYTES: u64 = 1 << 20;

/// An ingest body, read: the document and the SHA-256 of the body's bytes, with the body's
/// place among the large ones (held until the snapshot is stored).
struct ReadBody {
    doc: StreamedDocument,
    body_sha: String,
    _place: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// Why a body was not read.
enum BodyError {
    /// Longer than `--max-ingest-body-mb`.
    TooLarge,
    /// Anything else, as its problem.
    Refused(Problem),
}

/// A reader that hashes the bytes read through it (the body's SHA-256, without a copy of it).
struct Hashing<R> {
    inner: R,
    sha: Sha256,
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads an ingest body as a stream ([`crate::geodata::streamed`]): the collection's members
/// that the stored snapshot keeps (`type`, `features`, `frontline`, `crs`) are read strictly
/// (duplicated keys refused at any depth); any other (foreign) member is read without being
/// kept: the stored file never held them. On a refusal the rest of the body is read (and
/// dropped), so that the client, still sending, gets the answer rather than a reset.
fn read_body(reader: super::stream::ChannelReader) -> Result<(StreamedDocument, String), BodyError> {
    use crate::geodata::streamed::{MetaLimit, StreamError, read_document};
    use crate::geodata::strict_json::CountingReader;
    let read = std::cell::Cell::new(0);
    let mut body = Hashing {
        inner: reader,
        sha: Sha256::new(),
    };
    let result = {
        let input = CountingReader {
            inner: std::io::BufReader::with_capacity(1 << 16, &mut body),
            read: &read,
        };
        let mut de = serde_json::Deserializer::from_reader(input);
        let limit = MetaLimit {
            read: &read,
            max: MAX_META_BYTES,
        };
        read_document(&mut de, "the body", Some(limit)).and_then(|d| {
            de.end()?;
            Ok(d)
        })
    };
    match result {
        Ok(doc) => Ok((doc, hex::encode(body.sha.finalize()))),
        Err(e) => {
            let _ = std::io::copy(&mut body.inner, &mut std::io::sink());
            Err(match e {
                StreamError::Json(j) if j.is_io() => {
                    let io = std::io::Error::from(j);
                    if super::stream::too_large(&io).is_some() {
                        BodyError::TooLarge
                    } else {
                        BodyError::Refused(Problem::from_body_io(&io))
                    }
                }
                StreamError::Json(j) => BodyError::Refused(Problem::body(format!(
                    "invalid JSON at line {}, column {}: {j}",
                    j.line(),
                    j.column()
                ))),
                StreamError::MetaTooLarge { limit } => BodyError::Refused(Problem::too_large(format!(
                    "the body's 'frontline' member takes more than {limit} bytes of JSON; at most {limit} bytes (it is kept in the stored file)"
                ))),
            })
        }
    }
}

/// A source's border and its snapshots, as [`border_and_snapshots`] finds them.
type SourceParts<'a> = (
    &'a crate::geodata::Border,
    &'a [std::sync::Arc<crate::geodata::Snapshot>],
);

/// The border a snapshot of `source` is checked against and the source's snapshots: those of a
/// loaded source, or none for a source described by `PUT /v1/sources/{name}` that has no snapshot
/// yet (the one ingested is its first). An unknown source is a 404 saying how to create one.
fn border_and_snapshots<'a>(catalog: &'a crate::catalog::Catalog, source: &str) -> Result<SourceParts<'a>, Problem> {
    match catalog.source(Some(source)) {
        Ok(s) => Ok((&s.border.border, &s.snapshots)),
        Err(_)
            if let Some(b) = catalog
                .declared
                .get(source)
                .and_then(|d| catalog.borders.get(&d.border)) =>
        {
            Ok((&b.border, &[]))
        }
        Err(e @ crate::catalog::CatalogError::UnknownSource { .. }) => {
            let mut p = Problem::not_found(
                "unknown-source",
                format!(
                    "{e}. Ingest adds snapshots to a source that exists; create '{source}' first with its first snapshot: \
                     `PUT /v1/sources/{source}` with its description (licence, attribution, time zone...), or \
                     `frontline import geojson FILE --source {source} --data DIR` (a FeatureCollection with a date and a status \
                     per feature), or a directory sources/{source}/ holding source.json (e.g. {{\"border\": \"UKR\"}}) and a \
                     <YYYY-MM-DD>.geojson snapshot; the server picks it up on reload (SIGHUP, or the directory watch)"
                ),
            );
            p.parameter = Some("source".into());
            Err(p)
        }
        Err(e) => Err(e.into()),
    }
}

/// The source must exist (404 saying how to create one) and the date lie in the admitted window
/// (422; see [`crate::geodata::policy`]).
/// The dates admitted for new snapshots of `source` today ([`crate::geodata::policy`]).
fn date_window(app: &App, source: &str) -> Result<crate::geodata::policy::DateWindow, Problem> {
    let catalog = app.catalog();
    let (border, _) = border_and_snapshots(&catalog, source)?;
    Ok(app
        .config
        .date_window
        .window(border, crate::geodata::policy::today_utc()))
}

fn admit_date(app: &App, source: &str, date: chrono::NaiveDate) -> Result<(), Problem> {
    date_window(app, source)?.check(date).map_err(|why| {
        let mut p = Problem::unprocessable("date-outside-window", why);
        p.parameter = Some("date".into());
        p
    })
}

fn refused(findings: Vec<BodyFinding>) -> Problem {
    Problem::invalid_snapshot(findings)
}

fn findings(list: &[Finding]) -> Vec<BodyFinding> {
    list.iter().map(BodyFinding::from).collect()
}

/// Validates, writes and swaps in (blocking).
#[allow(clippy::too_many_arguments)]
fn store(
    app: &App,
    source: &str,
    date: chrono::NaiveDate,
    replace: bool,
    allow_empty: bool,
    body: ReadBody,
    t: Instant,
) -> Result<Reply, Problem> {
    // The body's place among the large ones is held to the end.
    let ReadBody {
        mut doc,
        body_sha,
        _place,
    } = body;
    if !doc.is_object() {
        return Err(Problem::body("body must be a GeoJSON FeatureCollection"));
    }
    // A `frontline` member in the body must agree with the query; kind, source and date are set.
    let mut meta = match doc.meta.take() {
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Problem::body("'frontline' must be an object")),
        None => Map::new(),
    };
    for (key, want) in [("source", source.to_string()), ("date", date.to_string())] {
        if let Some(v) = meta.get(key)
            && v.as_str() != Some(want.as_str())
        {
            return Err(Problem::body(format!(
                "frontline.{key} is {v} but the query says '{want}'"
            )));
        }
    }
    // The admission policy (crate::geodata::policy): empty snapshots on request only; a date
    // the collection gives itself (a foreign `date` or `properties.date`) valid and the
    // snapshot's; feature dates valid and in the window, flagged where they differ from the
    // snapshot's or are null. The date problems are answered together.
    let mut flags = Vec::new();
    let mut problems = crate::geodata::policy::collection_dates(&doc.collection_dates, date);
    if let Some(features) = &doc.features {
        use crate::geodata::policy::{EMPTY_ADMITTED, check_empty, feature_dates};
        check_empty(features.count, allow_empty, "allow_empty=true to the query")
            .map_err(|why| refused(vec![BodyFinding::whole("empty-snapshot", why)]))?;
        if features.count == 0 {
            flags.push(EMPTY_ADMITTED.to_string());
        }
        let (of_features, other_dates) = feature_dates(&features.dates, date, &date_window(app, source)?);
        problems.extend(of_features);
        flags.extend(other_dates.iter().map(Finding::without_file));
    }
    if !problems.is_empty() {
        return Err(refused(findings(&problems)));
    }
    meta.insert("kind".into(), json!("snapshot"));
    meta.insert("source".into(), json!(source));
    meta.insert("date".into(), json!(date.to_string()));
    meta.entry("provenance").or_insert_with(|| json!("ingested over HTTP"));
    meta.insert("ingest".into(), json!({"body_sha256": body_sha}));
    // What the reader validates keeps a copy of the `frontline` member for the stored file.
    let stored_meta = meta.clone();
    doc.meta = Some(Value::Object(meta));

    let catalog = app.catalog();
    let layout = Store::new(&catalog.root);
    layout.check_writable_source(source)?;
    let file = layout.snapshot_file(source, date)?;
    let shown = layout.relative(&file);
    // Validate exactly as a load would: the same reader, on the same document, in memory (the
    // provenance's hash, of the body here, becomes that of the file as written below).
    let stem = date.to_string();
    let (snapshot, report) = snapshot_from_streamed(doc, body_sha, Some(&stem), &shown, source);
    let Some(snapshot) = snapshot.filter(|_| report.is_ok()) else {
        // Nothing was written: the problems are in the body, not in a file of that name.
        return Err(refused(findings(&report.problems)));
    };
    // A publication counts for the day of its instant in the source's time zone: an instant
    // on another day than the one asked for is refused, never stored inconsistent.
    if let Some(at) = snapshot.published_at {
        let tz = match catalog.source(Some(source)) {
            Ok(s) => s.time_zone,
            Err(_) => catalog
                .declared
                .get(source)
                .map_or(crate::geodata::deepstate_api::DEFAULT_TIME_ZONE, |d| d.meta.time_zone),
        };
        let day = crate::geodata::publications::day_of(at, tz);
        if day != date {
            let mut p = Problem::unprocessable(
                "published-at-other-day",
                format!(
                    "frontline.published_at {} is on {day} in the source's time zone {}, not on {date}: a publication counts for the day of its instant there (ask date={day})",
                    crate::geodata::canonical::rfc3339(at),
                    tz.name()
                ),
            );
            p.parameter = Some("date".into());
            return Err(p);
        }
    }
    // `frontline.published` is an importer's record of the polygons it unioned; an ingested
    // body is located as drawn (points against its own features), so it is not kept.
    let snapshot = crate::geodata::Snapshot {
        published: None,
        ..snapshot
    };
    // Every repair the reader made, named as in `frontline check` (without the file's name).
    let repairs: Vec<String> = report.repairs.iter().map(Finding::without_file).collect();
    let mut notes = Notes { repairs, flags };
    // Import's checks against the border and the snapshot in force before this date (the same
    // path as `frontline import` and `sync`): mostly outside the border is refused (import
    // quarantines it), a large change or a stray feature flagged.
    let (border, snapshots) = border_and_snapshots(&catalog, source)?;
    let before = snapshots.iter().rfind(|s| s.date < date).map(|s| &**s);
    let checks = crate::import::check_new_snapshot(&snapshot, before, border, crate::import::Thresholds::default());
    if !checks.refusals.is_empty() {
        return Err(refused(
            checks
                .refusals
                .into_iter()
                .map(|why| BodyFinding::whole("outside-border", why))
                .collect(),
        ));
    }
    notes.flags.extend(checks.flags);
    if let Some(at) = snapshot.published_at {
        let publication = Publication {
            snapshot,
            at,
            meta: stored_meta,
            notes,
        };
        return store_publication(app, &layout, publication, replace, t);
    }
    // From here to the swap, no other writer (another request, a CLI import) touches the store.
    let lock = layout.lock("ingest", INGEST_LOCK_WAIT)?;
    // The catalog live now (a reload may have swapped one in while this waited for the lock).
    let catalog = app.catalog();
    let in_catalog = match catalog.source(Some(source)) {
        Ok(s) => s.snapshots.iter().find(|s| s.date == date).cloned(),
        // Described by `PUT /v1/sources/{name}`, no snapshot yet.
        Err(_) if catalog.declared.contains_key(source) => None,
        Err(e) => return Err(e.into()),
    };
    // The decision is taken from the files on disk, under the lock: another writer (a CLI
    // import) may have written the date since the catalog was loaded.
    let known = in_catalog.as_ref().map(|s| catalog.root.join(&s.provenance.file));
    let stored = crate::geodata::stored_snapshot(&lock, source, date, known.as_deref())?;
    let held = stored.as_ref().map_or(Held::Nothing, StoredSnapshot::held);
    // One plan for every writer (crate::store::WritePlan): what the store holds and this
    // snapshot decide what is written, and the plan is carried out as a whole.
    let mut plan = WritePlan::new();
    // A date of its own file: that file is replaced (kept, and removed when named otherwise).
    // A date confirmed by an earlier file: that file is kept (it is rewritten below without
    // the date).
    let own_file = stored.as_ref().is_some_and(|s| s.confirmed_by.is_none());
    let held_file = stored.as_ref().filter(|_| own_file).map(|s| s.file.as_path());
    let decision = plan.decide(held, held_file, &snapshot.content_sha256, replace);
    match decision {
        SnapshotDecision::New => {}
        SnapshotDecision::Unchanged => {
            // Nothing is written. What is stored goes live if the catalog does not have it yet.
            let Some(on_disk) = stored.and_then(|s| s.snapshot) else {
                return Err(Problem::internal(
                    "the stored snapshot read a moment ago no longer reads",
                ));
            };
            let live_date = on_disk.date;
            let live = catalog.source(Some(source)).ok().and_then(|s| {
                s.snapshots
                    .iter()
                    .find(|s| s.date == live_date && s.content_sha256 == on_disk.content_sha256)
                    .cloned()
            });
            if let Some(live) = live {
                return Ok(answer(&catalog, StatusCode::OK, &live, UNCHANGED, None, &notes, t));
            }
            let next = Arc::new(catalog.with_snapshot(on_disk.clone(), &[])?);
            next.compute_states();
            app.swap(next.clone());
            drop(lock);
            return Ok(answer(&next, StatusCode::OK, &on_disk, UNCHANGED, None, &notes, t));
        }
        SnapshotDecision::Refuse => {
            return Err(Problem::conflict(
                "snapshot-exists",
                format!(
                    "{source} already has a snapshot for {date} with other content; add replace=true (the old one is kept in .history/)"
                ),
            ));
        }
        SnapshotDecision::Replace => {
            if let Some(old) = stored.as_ref().filter(|_| !own_file) {
                plan.keep(&old.file);
            }
        }
    }
    // The file whose kept copy the answer names (the one replaced).
    let replaced_file = stored
        .as_ref()
        .filter(|_| decision == SnapshotDecision::Replace)
        .map(|s| s.file.clone());
    // A date inside an earlier file's confirmed run splits it (the run's other dates keep what
    // they were recorded to hold), whether the date was confirmed (replaced above) or a gap.
    let run = if own_file {
        None
    } else {
        crate::geodata::confirmed_run(&lock, source, date)?
    };
    let mut also = Vec::new();
    if let Some(run) = &run {
        plan.keep(&run.file);
        for (path, text) in run.split(&layout, source, date)? {
            also.push(path.clone());
            plan.write(path, text.into_bytes());
        }
    }
    // The canonical form of what was validated (same content hash), written durably.
    let canonical = notes.document(&snapshot, stored_meta);
    // Hashed here, then moved into the write (never copied: it is as long as the body).
    let file_sha = hex::encode(Sha256::digest(canonical.as_bytes()));
    plan.write(file.clone(), canonical.into_bytes());
    let carried = lock.carry_out(source, plan)?;
    let replaced = replaced_file
        .as_deref()
        .and_then(|f| carried.copy_of(f))
        .map(|k| layout.relative(k));
    // Its provenance is the file as written.
    let mut snapshot = snapshot;
    snapshot.provenance.sha256 = file_sha;
    // The files of a split run go live as the loader reads them (same content, new files).
    let mut split: Option<crate::catalog::Catalog> = None;
    for path in &also {
        let (read, _) = crate::geodata::canonical::read_snapshot(path, &layout.relative(path), source);
        if let Some(read) = read {
            split = Some(split.as_ref().unwrap_or(&catalog).with_snapshot(read, &[])?);
        }
    }
    go_live(
        app,
        split.as_ref().unwrap_or(&catalog),
        snapshot,
        Kept {
            replaced,
            files: &carried.copies,
        },
        lock,
        &notes,
        t,
    )
}

/// What a write kept in `.history/`: the copy of the replaced file it answers with (200), and
/// every file kept (the state records them for `known_at`).
struct Kept<'a> {
    replaced: Option<String>,
    files: &'a [std::path::PathBuf],
}

/// Makes a stored snapshot live: the state of `base` with it (in place of the day's snapshot when
/// `replaced` names the kept copy of the old one), computed and swapped in; the writer `lock`
/// released once it is live (the next writer sees it); the source's change index of point
/// histories built after the swap, off the answer's path. 200 when it replaced one, else 201.
fn go_live(
    app: &App,
    base: &crate::catalog::Catalog,
    snapshot: crate::geodata::Snapshot,
    kept: Kept<'_>,
    lock: crate::store::WriterLock,
    notes: &Notes,
    t: Instant,
) -> Result<Reply, Problem> {
    let Kept { replaced, files } = kept;
    let next = Arc::new(base.with_snapshot(snapshot.clone(), files)?);
    next.compute_states();
    app.swap(next.clone());
    drop(lock);
    let status = if replaced.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let reply = answer(&next, status, &snapshot, "live", replaced, notes, t);
    let name = snapshot.source.clone();
    std::thread::spawn(move || {
        if let Some(s) = next.sources.get(&name) {
            s.history_index();
        }
    });
    Ok(reply)
}

/// A validated publication (a body with `frontline.published_at`), to store.
struct Publication {
    snapshot: crate::geodata::Snapshot,
    at: chrono::DateTime<chrono::Utc>,
    meta: Map<String, Value>,
    notes: Notes,
}

/// Stores a publication by its instant (`sources/<source>/publications/`), as `frontline import
/// deepstate-api` does, and swaps in the source with its publications arranged into days again
/// (`crate::geodata::publications`): one arriving between two others, or earlier in a day than
/// one stored, takes its place among them. Its file is named by its instant to the fraction of a
/// second it gives (two publications of one second are two files). The same instant with the
/// same content (as any one held for it) is unchanged (200); with other content it is refused
/// (409) unless `replace=true` (every content held for the instant kept in `.history/` and
/// replaced), as is a day that holds a snapshot without an instant.
fn store_publication(
    app: &App,
    layout: &Store,
    publication: Publication,
    replace: bool,
    t: Instant,
) -> Result<Reply, Problem> {
    let Publication {
        snapshot,
        at,
        meta,
        notes,
    } = publication;
    let source = snapshot.source.clone();
    let date = snapshot.date;
    let stamp = crate::geodata::canonical::rfc3339(at);
    let lock = layout.lock("ingest", INGEST_LOCK_WAIT)?;
    let catalog = app.catalog();
    let (untimed, timed) = match catalog.source(Some(&source)) {
        Ok(s) => s.parts(),
        Err(_) => (Vec::new(), Vec::new()),
    };
    let file = layout.publication_file(&source, at)?;
    // What the store holds for this instant (one publication, or several of one instant with
    // different contents), read from disk under the lock (a CLI import may have written it
    // since the catalog was loaded).
    let mut candidates = vec![file.clone()];
    candidates.extend(
        timed
            .iter()
            .filter(|s| s.published_at == Some(at))
            .map(|s| catalog.root.join(&s.provenance.file)),
    );
    let held: Vec<(std::path::PathBuf, crate::geodata::Snapshot)> = candidates
        .iter()
        .enumerate()
        .filter(|(i, p)| !candidates[..*i].contains(*p) && p.is_file())
        .map(|(_, p)| p.clone())
        .filter_map(|p| {
            let (read, _) = crate::geodata::canonical::read_snapshot(&p, &layout.relative(&p), &source);
            read.filter(|r| r.published_at == Some(at)).map(|r| (p, r))
        })
        .collect();
    // One plan for every writer (crate::store::WritePlan), as for a dated snapshot.
    let mut plan = WritePlan::new();
    // The file whose kept copy the answer names (the first one replaced).
    let mut replaced_file = None;
    // The same content as one held: unchanged; other content: a revision of the instant,
    // replacing every content held for it.
    let same = held
        .iter()
        .find(|(_, h)| h.content_sha256 == snapshot.content_sha256)
        .or(held.first());
    if let Some((old_file, old)) = same {
        match plan.decide(
            Held::Content(&old.content_sha256),
            Some(old_file),
            &snapshot.content_sha256,
            replace,
        ) {
            SnapshotDecision::New => {}
            SnapshotDecision::Replace => {
                for (other, _) in &held {
                    plan.replace(other);
                }
                replaced_file = Some(old_file.clone());
            }
            SnapshotDecision::Unchanged => {
                let live = timed
                    .iter()
                    .find(|s| s.published_at == Some(at) && s.content_sha256 == old.content_sha256)
                    .cloned();
                if let Some(live) = live {
                    return Ok(answer(&catalog, StatusCode::OK, &live, UNCHANGED, None, &notes, t));
                }
                let next = Arc::new(catalog.with_snapshot(old.clone(), &[])?);
                next.compute_states();
                app.swap(next.clone());
                return Ok(answer(&next, StatusCode::OK, old, UNCHANGED, None, &notes, t));
            }
            SnapshotDecision::Refuse => {
                return Err(Problem::conflict(
                    "snapshot-exists",
                    format!(
                        "{source} already has the publication of {stamp} with other content; add replace=true (the old one is kept in .history/)"
                    ),
                ));
            }
        }
    }
    if let Some(old) = untimed.iter().find(|s| s.date == date) {
        let old_file = catalog.root.join(&old.provenance.file);
        if plan.decide(Held::Other, Some(&old_file), &snapshot.content_sha256, replace) == SnapshotDecision::Refuse {
            return Err(Problem::conflict(
                "snapshot-exists",
                format!(
                    "{source} has a snapshot of {date} without a publication instant ({}); add replace=true to replace it by this publication (the old one is kept in .history/)",
                    old.provenance.file
                ),
            ));
        }
        replaced_file.get_or_insert(old_file);
    }
    let canonical = notes.document(&snapshot, meta);
    let file_sha = hex::encode(Sha256::digest(canonical.as_bytes()));
    plan.write(file.clone(), canonical.into_bytes());
    let carried = lock.carry_out(&source, plan)?;
    let replaced = replaced_file
        .as_deref()
        .and_then(|f| carried.copy_of(f))
        .map(|k| layout.relative(k));
    let mut snapshot = snapshot;
    snapshot.provenance.sha256 = file_sha;
    snapshot.provenance.file = layout.relative(&file);
    let kept = Kept {
        replaced,
        files: &carried.copies,
    };
    go_live(app, &catalog, snapshot, kept, lock, &notes, t)
}

/// The `state` of an ingest that changed nothing: the same content is stored, and live (made
/// live by this ingest if the server had not loaded it).
const UNCHANGED: &str = "unchanged: the same content is live";

/// The id of a stored snapshot as the answers that use it name it, in `catalog` (live with
/// it): `source:YYYY-MM-DD` for a day's snapshot, `source:YYYY-MM-DD@<instant>` for a
/// publication that is not its day's (superseded later its day, or repeating the state in
/// force before it), as [`crate::catalog::InForce::snapshot_id`] names it.
fn stored_id(catalog: &crate::catalog::Catalog, s: &crate::geodata::Snapshot) -> String {
    let Some(at) = s.published_at else {
        return s.id();
    };
    let earlier = catalog.sources.get(&s.source).is_some_and(|src| {
        src.publications
            .iter()
            .any(|p| p.snapshot.published_at == Some(at) && p.snapshot.content_sha256 == s.content_sha256)
    });
    if earlier {
        format!("{}@{}", s.id(), crate::geodata::canonical::rfc3339(at))
    } else {
        s.id()
    }
}

fn answer(
    catalog: &crate::catalog::Catalog,
    status: StatusCode,
    s: &crate::geodata::Snapshot,
    state: &str,
    replaced: Option<String>,
    notes: &Notes,
    t: Instant,
) -> Reply {
    let body = crate::output::answers::Ingested {
        id: stored_id(catalog, s),
        published_at: s.published_at.map(crate::geodata::canonical::rfc3339),
        source: &s.source,
        date: s.date,
        content_sha256: &s.content_sha256,
        provenance: &s.provenance,
        state,
        replaced,
        repairs: &notes.repairs,
        flags: &notes.flags,
        ms: t.elapsed().as_secs_f64() * 1e3,
    };
    let location = super::location("/v1/snapshots/", &body.id);
    let mut res: Reply = Reply::new(crate::num::to_vec(&body).unwrap_or_default().into());
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // RFC 9110 15.3.2: a 201 names what it created.
    if status == StatusCode::CREATED {
        res.headers_mut().insert(header::LOCATION, location);
    }
    res
}
