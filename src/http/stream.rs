//! `POST /v1/classify` with a CSV body, streamed both ways: the request body is fed block by
//! block to the engine's CSV classifier on a blocking thread, and its output is sent as it is
//! made. Neither the input nor the output is ever held whole.
//!
//! The status is decided when the first 2 MiB of output are ready (or the input ends): errors
//! before that (bad header, bad line in the first block, too large, unknown source) are a 4xx
//! problem; an error after it ends the chunked response early, without its final chunk, so that
//! a client never takes a cut answer for a whole one. Uploads may be chunked (no Content-Length).
//!
//! The body is RFC 4180 CSV (see [`crate::query::csv`]) in UTF-8, or in the `charset` its
//! Content-Type declares (decoded with `encoding_rs`; the answer is always UTF-8); an unknown
//! charset is a 415 that lists the accepted ones. `csv_safe=true` neutralises spreadsheet
//! formulas in the text columns written back.

use super::params::Params;
use super::problem::Problem;
use super::{App, Body, BoxError};
use crate::query::csv::{CsvError, CsvOptions, classify_csv_with, decoding, encoding_for_label};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use warp::http::{HeaderValue, Request, Response, header};

/// Output bytes gathered before they are sent (and before the status is decided): more than one
/// block of the classifier makes, so that errors in the first block are a proper 4xx.
const SEND_BYTES: usize = 2 << 20;

fn problem_response(p: Problem) -> Response<Body> {
    p.into_response::<Bytes>()
        .map(|b| http_body_util::Full::new(b).map_err(|e| match e {}).boxed())
}

/// Marks the input error raised when the body exceeds the limit.
#[derive(Debug)]
pub(super) struct TooLarge(pub(super) u64);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request body exceeds {} bytes", self.0)
    }
}

impl std::error::Error for TooLarge {}

/// Handles one CSV classification request.
pub async fn classify_csv(app: Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let raw = parts.uri.query().unwrap_or("");
    let prepared = (|| {
        let p = Params::parse(
            raw,
            &["date", "datetime", "source", "distance", "csv_safe", "known_at", "raw"],
        )?;
        let when = p.required_when()?;
        let raw_composition = p.flag("raw")?;
        let distance = p.flag("distance")?;
        let csv_safe = p.flag("csv_safe")?;
        let encoding = csv_charset(parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()))?;
        let source = p.get("source").map(str::to_string);
        let catalog = app.catalog_for(&p)?;
        let (f, date) = catalog.resolve(source.as_deref(), when)?;
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > app.config.max_body_bytes) {
            return Err(Problem::too_large(format!(
                "request body exceeds {} bytes",
                app.config.max_body_bytes
            )));
        }
        Ok((
            when,
            source,
            (distance, raw_composition),
            csv_safe,
            encoding,
            (f.snapshot_id(), crate::output::provenance::SnapshotAge::new(&f, date)),
            (f.synthetic(), crate::output::provenance::SourceRef::new(f.source)),
            catalog.clone(),
        ))
    })();
    let (
        when,
        source,
        (distance, raw_composition),
        csv_safe,
        encoding,
        (snapshot_id, age),
        (synthetic, source_ref),
        catalog,
    ) = match prepared {
        Ok(x) => x,
        Err(p) => return problem_response(p),
    };

    // Request body -> blocking reader.
    let in_rx = body_reader(incoming(body), app.config.max_body_bytes, BodyPace::of(&app.config));

    // Blocking classifier -> response body.
    let (out_tx, out_rx) = mpsc::channel::<Result<Bytes, BoxError>>(4);
    let (first_tx, first_rx) = oneshot::channel::<Result<(), Problem>>();
    let max_points = app.config.max_points;
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: out_tx,
            buf: Vec::with_capacity(SEND_BYTES * 2),
            first: Some(first_tx),
        };
        let body = in_rx;
        let input: Box<dyn BufRead> = match encoding {
            Some(e) => Box::new(BufReader::with_capacity(1 << 16, decoding(body, e))),
            None => Box::new(BufReader::with_capacity(1 << 16, body)),
        };
        let result = match catalog.resolve(source.as_deref(), when) {
            Ok((f, _)) => {
                let options = CsvOptions {
                    max_rows: Some(max_points),
                    distance,
                    raw: raw_composition,
                    csv_safe,
                };
                classify_csv_with(&f, input, &mut out, &options).map(|_| ())
            }
            Err(e) => Err(CsvError::Io(std::io::Error::other(e.to_string()))),
        };
        match result {
            Ok(()) => out.finish(),
            Err(e) => out.fail(Problem::from(e)),
        }
    });

    match first_rx.await {
        Ok(Ok(())) => {
            let stream = futures_util::stream::unfold(out_rx, |mut rx| async move {
                rx.recv().await.map(|item| (item.map(Frame::data), rx))
            });
            let mut res = Response::new(http_body_util::StreamBody::new(stream).boxed());
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(v) = HeaderValue::from_str(&snapshot_id) {
                h.insert("x-frontline-snapshot", v);
            }
            if raw_composition {
                // The raw composition (no sliver rule, no waters), said where a CSV can say it.
                h.insert("x-frontline-raw", HeaderValue::from_static("true"));
            }
            super::insert_sources(h, std::slice::from_ref(&source_ref));
            h.insert(
                "x-frontline-synthetic",
                HeaderValue::from_static(if synthetic { "true" } else { "false" }),
            );
            // A CSV body has no room for it: the snapshot's age on the date asked, and the warning
            // past a month, as headers (the `Warning` field is obsolete, RFC 9111 5.5).
            h.insert(
                "x-frontline-snapshot-age-days",
                HeaderValue::from(age.snapshot_age_days),
            );
            if let Some(w) = age.warning.and_then(|w| HeaderValue::from_str(&w).ok()) {
                h.insert("x-frontline-warning", w);
            }
            res
        }
        Ok(Err(p)) => problem_response(p),
        Err(e) => problem_response(Problem::internal(format!("classification stopped: {e}"))),
    }
}

/// The encoding a CSV body's Content-Type declares (`charset=`): `None` for none or UTF-8 (the
/// bytes are then checked as UTF-8), a 415 naming the accepted charsets for one not known.
pub(crate) fn csv_charset(content_type: Option<&str>) -> Result<Option<&'static encoding_rs::Encoding>, Problem> {
    let Some(ct) = content_type else { return Ok(None) };
    let charset = ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then_some(v.trim())
    });
    match charset {
        None => Ok(None),
        Some(label) => encoding_for_label(label).map_err(Problem::unsupported_media_type),
    }
}

/// How slowly a request body may arrive ([`super::Config::body_idle_timeout`] and
/// [`super::Config::body_min_rate`]). Only the time spent waiting for the client counts: a
/// server slow to take the bytes (its reader busy) never makes a client too slow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyPace {
    /// The longest wait for the next bytes, and the grace before `min_rate` applies.
    pub idle: Duration,
    /// Bytes per second to average once `idle` of waiting has passed; 0: no minimum.
    pub min_rate: u64,
}

impl BodyPace {
    /// The pace of a server's settings.
    pub(crate) fn of(config: &super::Config) -> Self {
        BodyPace {
            idle: config.body_idle_timeout,
            min_rate: config.body_min_rate,
        }
    }

    /// How long to wait for the next bytes, `read` bytes having come in `waited` of waiting:
    /// at most `idle`, and no longer than the bytes read so far buy at `min_rate` after the
    /// grace (`idle + read / min_rate - waited`).
    pub(crate) fn allowance(&self, read: u64, waited: Duration) -> Duration {
        if self.min_rate == 0 {
            return self.idle;
        }
        // Saturating: any --body-timeout-s is accepted, and the sum must not overflow.
        let bought = self
            .idle
            .saturating_add(Duration::try_from_secs_f64(read as f64 / self.min_rate as f64).unwrap_or(Duration::MAX));
        self.idle.min(bought.saturating_sub(waited))
    }
}

/// Marks the input error raised when the body arrives too slowly.
#[derive(Debug)]
pub(crate) struct TooSlow {
    pace: BodyPace,
    read: u64,
    waited: Duration,
}

impl std::fmt::Display for TooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the request body arrived too slowly: {} byte(s) in {:.1} s of waiting; the server waits at most {} s for the next bytes",
            self.read,
            self.waited.as_secs_f64(),
            self.pace.idle.as_secs_f64()
        )?;
        if self.pace.min_rate > 0 {
            write!(
                f,
                " and, after the first {} s, needs {} bytes/s on average",
                self.pace.idle.as_secs_f64(),
                self.pace.min_rate
            )?;
        }
        write!(f, " (the server's --body-timeout-s and --body-min-rate)")
    }
}

impl std::error::Error for TooSlow {}

/// The chunks of a request body, paced and bounded: at most `max` bytes (more ends it with an
/// error carrying [`TooLarge`]), each within [`BodyPace::allowance`] (else an error carrying
/// [`TooSlow`], `TimedOut`). The clock starts when it is first polled (after the body's place
/// among the large ones is taken).
pub(crate) fn paced<S, E>(
    body: S,
    max: u64,
    pace: BodyPace,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Send,
    E: Into<BoxError> + Send,
{
    use futures_util::StreamExt;
    struct State<S> {
        body: std::pin::Pin<Box<S>>,
        read: u64,
        waited: Duration,
    }
    let start = State {
        body: Box::pin(body),
        read: 0,
        waited: Duration::ZERO,
    };
    futures_util::stream::unfold(Some(start), move |state| async move {
        let mut st = state?;
        let asked = Instant::now();
        let next = tokio::time::timeout(pace.allowance(st.read, st.waited), st.body.next()).await;
        st.waited += asked.elapsed();
        let item = match next {
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                TooSlow {
                    pace,
                    read: st.read,
                    waited: st.waited,
                },
            )),
            Ok(None) => return None,
            Ok(Some(Err(e))) => Err(std::io::Error::other(e)),
            Ok(Some(Ok(data))) => {
                st.read += data.len() as u64;
                if st.read > max {
                    Err(std::io::Error::other(TooLarge(max)))
                } else {
                    Ok(data)
                }
            }
        };
        let more = item.is_ok().then_some(st);
        Some((item, more))
    })
}

/// A hyper request body as a stream of its data (trailers skipped).
pub(super) fn incoming(body: Incoming) -> impl futures_util::Stream<Item = Result<Bytes, hyper::Error>> + Send {
    body.into_data_stream()
}

/// A warp body stream as a stream of [`Bytes`] (the routes that take their body from a warp
/// filter: ingest, sources, scenarios).
pub(super) fn warp_body<S, B>(body: S) -> impl futures_util::Stream<Item = Result<Bytes, warp::Error>> + Send
where
    S: futures_util::Stream<Item = Result<B, warp::Error>> + Send,
    B: bytes::Buf,
{
    use futures_util::StreamExt;
    body.map(|chunk| chunk.map(|mut c| c.copy_to_bytes(c.remaining())))
}

/// A request body as a blocking reader (for a blocking thread), [`paced`]: a task forwards its
/// chunks through a channel of 8, so that a slow reader holds the client back instead of
/// buffering.
pub(super) fn body_reader<S, E>(body: S, max: u64, pace: BodyPace) -> ChannelReader
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<BoxError> + Send + 'static,
{
    use futures_util::StreamExt;
    let (in_tx, in_rx) = mpsc::channel::<std::io::Result<Bytes>>(8);
    tokio::spawn(async move {
        let mut body = std::pin::pin!(paced(body, max, pace));
        while let Some(item) = body.next().await {
            let stop = item.is_err();
            if in_tx.send(item).await.is_err() || stop {
                break;
            }
        }
    });
    ChannelReader {
        rx: in_rx,
        current: Bytes::new(),
    }
}

/// Whether an I/O error is the body's [`TooLarge`], and its limit.
pub(super) fn too_large(e: &std::io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TooLarge>())
        .map(|t| t.0)
}

/// Whether an I/O error is the body's [`TooSlow`].
pub(crate) fn too_slow(e: &std::io::Error) -> Option<&TooSlow> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<TooSlow>())
}

/// Blocking reader over the request body's chunks.
pub(super) struct ChannelReader {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.current = b,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        bytes::Buf::advance(&mut self.current, n);
        Ok(n)
    }
}

/// Blocking writer into the response body; the first send decides the status (200).
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, BoxError>>,
    buf: Vec<u8>,
    first: Option<oneshot::Sender<Result<(), Problem>>>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if let Some(first) = self.first.take() {
            let _ = first.send(Ok(()));
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(SEND_BYTES * 2)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }

    fn finish(mut self) {
        let _ = self.send();
    }

    fn fail(mut self, p: Problem) {
        match self.first.take() {
            Some(first) => {
                let _ = first.send(Err(p));
            }
            None => {
                let _ = self.tx.blocking_send(Err(p.detail.into()));
            }
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= SEND_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
