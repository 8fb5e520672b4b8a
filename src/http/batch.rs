//! `POST /v1/classify` with a GeoJSON body and `POST /v1/history` (GeoJSON or CSV): the request
//! body is read as a stream on a blocking thread (never held whole; GeoJSON features are parsed
//! one by one, see `query::geojson`), and at most `Config::max_large_bodies` large bodies are
//! read at once (a semaphore; the others wait before reading, so their bytes stay with the
//! client), so that memory stays bounded however many large requests arrive.
//!
//! The answer is sent once it is whole: an error anywhere in the body is a 4xx problem, as
//! before. A refused body is read to its end (discarded) before the answer, so that the client,
//! still sending, gets the answer rather than a reset connection.

use super::params::Params;
use super::problem::Problem;
use super::stream::{BodyPace, ChannelReader, body_reader, incoming};
use super::{App, Body};
use crate::query::geojson::{AnswerFeatures, BatchAnswer, GeoJsonOptions, PIECE, classify_geojson, history_geojson};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use std::io::{BufReader, Read};
use std::sync::Arc;
use warp::http::{HeaderMap, HeaderValue, Request, Response, header};

/// Bodies larger than this (or of unknown length) wait for a place among the large ones.
pub const LARGE_BODY_BYTES: u64 = 1 << 20;

/// The kind of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// GeoJSON (`application/geo+json` or `application/json`).
    Json,
    /// `text/csv`, header `id,lon,lat`.
    Csv,
}

/// Checks a body's Content-Type (the dispatcher has refused a compressed one). Both batch routes take CSV
/// (classify's CSV bodies are streamed by `stream` before this is reached).
fn body_kind(headers: &HeaderMap) -> Result<BodyKind, Problem> {
    let accepted = "text/csv (id,lon,lat), application/geo+json or application/json";
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let kind = match content_type.as_deref().map(super::media_type).as_deref() {
        Some("application/geo+json" | "application/json") => BodyKind::Json,
        Some("text/csv") => BodyKind::Csv,
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
    Ok(kind)
}

/// The one rule for request bodies: a body must not be compressed. Every coding listed in the
/// request's `Content-Encoding` fields other than `identity` (any case) is a 415 naming it; the
/// dispatcher applies this to every POST and PUT before the route's handler runs (so before its
/// parameters, Content-Type or body are read) and adds `Accept-Encoding: identity` to the answer
/// (RFC 9110 15.5.16).
pub(super) fn identity_encoding(headers: &HeaderMap) -> Result<(), Problem> {
    let codings = headers
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .flat_map(|v| v.as_bytes().split(|b| *b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case(b"identity"));
    if let Some(coding) = codings.map(String::from_utf8_lossy).next() {
        return Err(Problem::unsupported_media_type(format!(
            "compressed request bodies are not accepted (Content-Encoding: {coding}); send the body uncompressed (Accept-Encoding: identity)"
        )));
    }
    Ok(())
}

/// JSON bodies are UTF-8 (RFC 8259 8.1: JSON exchanged between systems "MUST be encoded using
/// UTF-8"): a JSON Content-Type (`application/json`, `application/geo+json`, any `+json`) that
/// declares another `charset` is a 415 naming it, never bytes read as something they are not.
/// The dispatcher applies it to every POST and PUT, as [`identity_encoding`].
pub(super) fn json_charset(headers: &HeaderMap) -> Result<(), Problem> {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let media = super::media_type(ct);
    if media != "application/json" && !media.ends_with("+json") {
        return Ok(());
    }
    let charsets = ct.split(';').skip(1).filter_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"'))
    });
    for charset in charsets {
        if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") {
            return Err(Problem::unsupported_media_type(format!(
                "a {media} body is UTF-8 (RFC 8259 8.1): charset '{charset}' is not accepted; send it as UTF-8 (charset=utf-8 or none)"
            )));
        }
    }
    Ok(())
}

fn problem_response(p: Problem) -> Response<Body> {
    p.into_response::<Bytes>()
        .map(|b| http_body_util::Full::new(b).map_err(|e| match e {}).boxed())
}

/// Checks the declared length, waits for a place if the body is large, and returns the body as
/// a blocking reader with the place held.
async fn open_body(
    app: &Arc<App>,
    headers: &HeaderMap,
    body: Incoming,
    max: u64,
) -> Result<(ChannelReader, Option<tokio::sync::OwnedSemaphorePermit>), Problem> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(Problem::too_large(format!("request body exceeds {max} bytes")));
    }
    let permit = large_body_place(app, declared).await?;
    Ok((body_reader(incoming(body), max, BodyPace::of(&app.config)), permit))
}

/// Waits for a place among `Config::max_large_bodies` when a body is large (over
/// [`LARGE_BODY_BYTES`] as declared, or of unknown length); a small body needs none. The place
/// is held as long as the returned permit lives (to the end of the request, or its body's
/// timeout). The wait is bounded (`Config::large_body_wait`): then a 503 `busy` with
/// `Retry-After`, the body left unread.
pub(super) async fn large_body_place(
    app: &App,
    declared: Option<u64>,
) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, Problem> {
    if declared.is_some_and(|n| n <= LARGE_BODY_BYTES) {
        return Ok(None);
    }
    let wait = app.config.large_body_wait;
    match tokio::time::timeout(wait, app.large_bodies.clone().acquire_owned()).await {
        Ok(Ok(permit)) => Ok(Some(permit)),
        Ok(Err(e)) => Err(Problem::unavailable(
            "shutting-down",
            "the server is shutting down: try again",
            e,
        )),
        Err(_) => {
            let mut p = Problem::unavailable(
                "busy",
                &format!(
                    "every place for large request bodies (over {LARGE_BODY_BYTES} bytes, or of unknown length) stayed taken for {} s: try again later",
                    wait.as_secs_f64()
                ),
                "large-body places taken",
            );
            p.retry_after = Some(wait.as_secs().clamp(1, 60) as u16);
            Err(p)
        }
    }
}

/// Runs `work` on a blocking thread over the body; on a refusal, reads the rest of the body
/// (discarded) first.
async fn run_blocking<F>(reader: ChannelReader, work: F) -> Result<Response<Body>, Problem>
where
    F: FnOnce(&mut BufReader<ChannelReader>) -> Result<Response<Body>, Problem> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let mut input = BufReader::with_capacity(1 << 16, reader);
        let result = work(&mut input);
        if result.is_err() {
            let _ = std::io::copy(&mut input, &mut std::io::sink());
        }
        result
    })
    .await?
}

/// A 200 with a document in pieces (its features read back from the temporary file where they
/// were spilled) and its exact length.
fn pieces_response(answer: BatchAnswer, content_type: &'static str) -> Response<Body> {
    use futures_util::StreamExt;
    use futures_util::stream::{self, Stream};
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    type Frames = std::pin::Pin<Box<dyn Stream<Item = Result<Frame<Bytes>, super::BoxError>> + Send + Sync>>;
    let len = answer.len();
    let BatchAnswer { head, features, tail } = answer;
    let middle: Frames = match features {
        AnswerFeatures::Memory(pieces) => Box::pin(stream::iter(pieces.into_iter().map(|c| Ok(Frame::data(c))))),
        AnswerFeatures::File(file, _) => {
            let file = tokio::fs::File::from_std(file);
            Box::pin(stream::unfold(Some((file, false)), |state| async move {
                let (mut file, rewound) = state?;
                if !rewound && let Err(e) = file.rewind().await {
                    return Some((Err(e.into()), None));
                }
                let mut buf = bytes::BytesMut::with_capacity(PIECE);
                match file.read_buf(&mut buf).await {
                    Ok(0) => None,
                    Ok(_) => Some((Ok(Frame::data(buf.freeze())), Some((file, true)))),
                    // The length was sent: a short body tells the client the answer broke off.
                    Err(e) => Some((Err(e.into()), None)),
                }
            }))
        }
    };
    let frames = stream::once(async move { Ok(Frame::data(head)) })
        .chain(middle)
        .chain(stream::once(async move { Ok(Frame::data(tail)) }));
    let mut res = Response::new(BodyExt::boxed(http_body_util::StreamBody::new(frames)));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    res
}

/// `POST /v1/classify` with a GeoJSON FeatureCollection of Points.
pub async fn classify(app: Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let prepared = (|| {
        let p = Params::parse(
            parts.uri.query().unwrap_or(""),
            &["date", "datetime", "source", "distance", "known_at", "raw"],
        )?;
        let when = p.required_when()?;
        let distance = p.flag("distance")?;
        let raw = p.flag("raw")?;
        let source = p.get("source").map(str::to_string);
        let catalog = app.catalog_for(&p)?;
        catalog.resolve(source.as_deref(), when)?;
        body_kind(&parts.headers)?;
        Ok::<_, Problem>((when, source, (distance, raw), catalog))
    })();
    let (when, source, (distance, raw), catalog) = match prepared {
        Ok(x) => x,
        Err(p) => return problem_response(p),
    };
    let max = app.config.max_json_body_bytes.min(app.config.max_body_bytes);
    let (reader, permit) = match open_body(&app, &parts.headers, body, max).await {
        Ok(x) => x,
        Err(p) => return problem_response(p),
    };
    let options = GeoJsonOptions {
        max_points: app.config.max_points,
        distance,
        datetime: when.instant(),
        raw,
    };
    let result = run_blocking(reader, move |input| {
        let (f, date) = catalog.resolve(source.as_deref(), when)?;
        let answer = classify_geojson(&f, date, input, &options)?;
        Ok(pieces_response(answer, "application/geo+json"))
    })
    .await;
    drop(permit);
    result.unwrap_or_else(problem_response)
}

/// `POST /v1/history[?source=]`: a GeoJSON FeatureCollection of Points (each feature gains
/// `properties.history`) or a CSV `id,lon,lat` (one row per interval).
pub async fn history(app: Arc<App>, req: Request<Incoming>) -> Response<Body> {
    use crate::query::history::history_csv_answer;
    let (parts, body) = req.into_parts();
    let prepared = (|| {
        let p = Params::parse(
            parts.uri.query().unwrap_or(""),
            &["source", "csv_safe", "known_at", "raw"],
        )?;
        let source = p.get("source").map(str::to_string);
        let csv_safe = (p.flag("csv_safe")?, p.flag("raw")?);
        let catalog = app.catalog_for(&p)?;
        catalog.source(source.as_deref())?;
        let kind = body_kind(&parts.headers)?;
        let encoding = match kind {
            BodyKind::Csv => {
                super::stream::csv_charset(parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()))?
            }
            BodyKind::Json => None,
        };
        Ok::<_, Problem>((source, kind, csv_safe, encoding, catalog))
    })();
    let (source, kind, (csv_safe, raw), encoding, catalog) = match prepared {
        Ok(x) => x,
        Err(p) => return problem_response(p),
    };
    let max = app.config.max_json_body_bytes.min(app.config.max_body_bytes);
    let (reader, permit) = match open_body(&app, &parts.headers, body, max).await {
        Ok(x) => x,
        Err(p) => return problem_response(p),
    };
    let max_points = app.config.max_points;
    let result = run_blocking(reader, move |input| match kind {
        BodyKind::Json => {
            let answer = history_geojson(&catalog, source.as_deref(), input, max_points, raw)?;
            Ok(pieces_response(answer, "application/geo+json"))
        }
        BodyKind::Csv => {
            let answer = |input: &mut dyn std::io::BufRead| {
                history_csv_answer(&catalog, source.as_deref(), input, max_points, csv_safe, raw).map_err(Problem::from)
            };
            let answer = match encoding {
                Some(e) => answer(&mut BufReader::new(crate::query::csv::decoding(input.by_ref(), e)))?,
                None => answer(input)?,
            };
            let mut res = pieces_response(answer, "text/csv; charset=utf-8");
            if let Ok(src) = catalog.source(source.as_deref()) {
                super::insert_sources(res.headers_mut(), &[crate::output::provenance::SourceRef::new(src)]);
            }
            Ok(res)
        }
    })
    .await;
    drop(permit);
    result.unwrap_or_else(problem_response)
}
