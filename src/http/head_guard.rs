//! Problem+json for requests that hyper's HTTP/1 parser refuses before any handler sees them.
//!
//! httparse refuses a request whose header value holds a control byte (NUL, DEL, ...; RFC 9110
//! §5.5) and hyper then writes its own bare `400 Bad Request` with an empty body and closes the
//! connection. hyper has no hook for that answer, and its parser settings do not help:
//! `ignore_invalid_headers` drops a line with DEL but still fails on NUL, and dropping a header
//! silently is worse than refusing it. So the connection's socket is wrapped:
//!
//! - reading, it notes the request line's method and path and whether an `Authorization` line
//!   held such a byte, a bare CR or a bare LF, or had a line folded onto it (a small scan of
//!   each line; the bytes pass unchanged);
//! - writing, it recognises hyper's own parse-error answer (`400` with `content-length: 0`: every
//!   400 of the API carries a problem+json body, so no handler's answer looks like it) and
//!   writes a problem+json in its place: on a route that checks a bearer token
//!   ([`super::table::checks_token`]), the same `403` (or `ingest-off`) a wrong token gets when
//!   the bad line was `Authorization` (so a token with a stray byte is never told apart from a
//!   wrong one); otherwise a `400 malformed-request`. Public routes never read `Authorization`,
//!   so there a control byte in it is what RFC 9110 §5.5 says of any field value holding one: the
//!   message is malformed and may be rejected, as a control byte in any other header is.
//!
//! Nothing else is changed: every other byte goes through as it came.
//!
//! Only request heads are scanned: a body whose length the head states (one `Content-Length`,
//! no `Transfer-Encoding`) is passed through uncounted byte by byte, since a 44 MB CSV scanned
//! line by line on the I/O thread cost a third more time to classify it. A connection whose
//! bodies are framed otherwise (chunked) has every byte scanned from then on, as lines.

use bytes::Bytes;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// hyper's answer to a request head it cannot parse.
const HYPER_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\n";
const NAME: &[u8] = b"authorization:";

/// A socket whose parse-error answers are problem+json.
#[derive(Debug)]
pub struct HeadGuard<T> {
    inner: T,
    /// The answer to a refused head whose `Authorization` line held a control byte.
    auth_answer: Bytes,
    /// Bytes of the current line seen so far (up to the header name's length), lowercase.
    line_start: Vec<u8>,
    /// Inside an `Authorization` line.
    in_auth: bool,
    /// The byte before was a CR (inside an `Authorization` line).
    after_cr: bool,
    /// An `Authorization` line held a control byte, a bare CR or LF, or had a line folded onto
    /// it (until a parse-error answer is written).
    auth_bad: bool,
    /// The line before the current one was an `Authorization` line.
    prev_auth: bool,
    /// The current line's first bytes (up to [`LINE_KEPT`]), to read a request line.
    line: Vec<u8>,
    /// The last request line read was for a route that checks a bearer token.
    token_route: bool,
    /// A replacement answer still to be written.
    pending: Bytes,
    /// Bytes of the current request's body still to come: passed through unscanned.
    body_left: u64,
    /// How the head being read frames its body.
    framing: Framing,
    /// A head framed its body otherwise than by one `Content-Length`: from then on every byte of
    /// the connection is scanned as lines (bodies too), as the end of a body is not known.
    scan_bodies: bool,
}

/// What the head being read says of its body's length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Framing {
    /// No line of the head seen yet (empty lines before a request line are skipped, RFC 9112 2.2).
    #[default]
    NotStarted,
    /// The request line seen, no `Content-Length` nor `Transfer-Encoding` so far: no body.
    NoBody,
    /// One `Content-Length` (or several with the same value): a body of this many bytes.
    Length(u64),
    /// A `Transfer-Encoding`, or a `Content-Length` that is not one plain number.
    Other,
}

impl<T> HeadGuard<T> {
    /// Wraps a socket; `auth_answer` is the whole HTTP answer written when an `Authorization`
    /// line was refused.
    pub fn new(inner: T, auth_answer: Bytes) -> Self {
        HeadGuard {
            inner,
            auth_answer,
            line_start: Vec::with_capacity(NAME.len()),
            in_auth: false,
            after_cr: false,
            auth_bad: false,
            prev_auth: false,
            line: Vec::with_capacity(LINE_KEPT),
            token_route: false,
            pending: Bytes::new(),
            body_left: 0,
            framing: Framing::NotStarted,
            scan_bodies: false,
        }
    }

    /// Notes what `data` (the next bytes read from the connection) says: bodies of known
    /// length are skipped, everything else is scanned as lines.
    fn scan(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.body_left > 0 {
                let skip = usize::try_from(self.body_left).map_or(data.len(), |n| n.min(data.len()));
                self.body_left -= skip as u64;
                data = &data[skip..];
                continue;
            }
            let used = self.scan_lines(data);
            data = &data[used..];
        }
    }

    /// Scans `data` as lines (a line at a time: most lines are only copied and looked at for
    /// their first bytes), until a head that announces a body of known length ends; returns the
    /// bytes used.
    fn scan_lines(&mut self, data: &[u8]) -> usize {
        let mut at = 0;
        while at < data.len() {
            let end = memchr::memchr(b'\n', &data[at..]).map(|i| at + i);
            let part = &data[at..end.unwrap_or(data.len())];
            self.scan_part(part);
            let Some(end) = end else {
                return data.len();
            };
            at = end + 1;
            // The first line of a head is its request line, even when longer than the part kept.
            let first = self.framing == Framing::NotStarted && !self.scan_bodies;
            if let Some((method, path)) = request_line(&self.line, first) {
                self.token_route = super::table::checks_token(method, path);
            }
            // A bare LF ends the line for httparse: what follows it on the wire was part of
            // the token (a stray LF), and the rest is read as another line.
            if self.in_auth && !self.after_cr {
                self.auth_bad = true;
            }
            self.prev_auth = self.in_auth;
            self.framing_line();
            self.line.clear();
            self.line_start.clear();
            self.in_auth = false;
            self.after_cr = false;
            if self.body_left > 0 {
                return at;
            }
        }
        data.len()
    }

    /// Notes a piece of a line (no LF in it): kept for the request line and the framing, its
    /// start matched against `Authorization:`, and the bytes of an `Authorization` line checked.
    fn scan_part(&mut self, part: &[u8]) {
        let Some(&first) = part.first() else {
            return;
        };
        if self.line.is_empty() && (first == b' ' || first == b'\t') && self.prev_auth {
            // A line folded onto the Authorization line (obs-fold, RFC 9112 5.2): httparse
            // refuses it; it belongs to the token.
            self.auth_bad = true;
            self.in_auth = true;
        }
        let room = LINE_KEPT.saturating_sub(self.line.len());
        self.line.extend_from_slice(&part[..room.min(part.len())]);
        let mut rest = part;
        if !self.in_auth && self.line_start.len() < NAME.len() {
            let k = (NAME.len() - self.line_start.len()).min(part.len());
            self.line_start.extend(part[..k].iter().map(u8::to_ascii_lowercase));
            if self.line_start == NAME {
                self.in_auth = true;
            }
            rest = &part[k..];
        } else if !self.in_auth {
            return;
        }
        if self.in_auth {
            for &b in rest {
                // A CR not followed by LF ends no line: httparse refuses it.
                if ((b < 0x20 && b != b'\t' && b != b'\r') || b == 0x7f) || self.after_cr {
                    self.auth_bad = true;
                }
                self.after_cr = b == b'\r';
            }
        }
    }

    /// Reads the framing of a request from the line just ended (`self.line`, its LF cut off): a
    /// `Content-Length` or `Transfer-Encoding` field, or the empty line that ends the head (then
    /// the body's length, if one `Content-Length` gave it, is skipped).
    fn framing_line(&mut self) {
        if self.scan_bodies {
            return;
        }
        let text = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
        if text.is_empty() {
            match std::mem::take(&mut self.framing) {
                Framing::NotStarted | Framing::NoBody => {}
                Framing::Length(n) => self.body_left = n,
                Framing::Other => self.scan_bodies = true,
            }
            return;
        }
        if self.framing == Framing::NotStarted {
            self.framing = Framing::NoBody;
            return;
        }
        let Some(colon) = memchr::memchr(b':', text) else {
            return;
        };
        let (name, value) = (&text[..colon], super::auth::trim_ows(&text[colon + 1..]));
        if name.eq_ignore_ascii_case(b"content-length") {
            // A line longer than the part kept cannot be read whole: its length is not known.
            let whole = self.line.len() < LINE_KEPT;
            let n = (whole && !value.is_empty() && value.iter().all(u8::is_ascii_digit))
                .then(|| std::str::from_utf8(value).ok()?.parse::<u64>().ok())
                .flatten();
            self.framing = match (self.framing, n) {
                (Framing::NoBody, Some(n)) => Framing::Length(n),
                (Framing::Length(m), Some(n)) if m == n => Framing::Length(m),
                _ => Framing::Other,
            };
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            self.framing = Framing::Other;
        }
    }
}

/// Bytes of a line kept to read a request line (method, target, version).
const LINE_KEPT: usize = 512;

/// The method and path (without the query) of an HTTP/1.1 request line, if `line` is one: a
/// line with the version, or (`first`: the first line of a head) the start of one whose end was
/// not kept (a request line longer than [`LINE_KEPT`]). The target is in origin form
/// (`/path?query`) or absolute form (`http://host/path?query`, which RFC 9112 §3.2.2 has servers
/// accept).
fn request_line(line: &[u8], first: bool) -> Option<(&str, &str)> {
    // Most lines are not request lines: a quick test before the parse.
    static VERSION: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b" HTTP/1."));
    let whole = VERSION.find(line).is_some();
    if !whole && !first {
        return None;
    }
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        // A kept part may end inside a character.
        Err(e) => std::str::from_utf8(&line[..e.valid_up_to()]).ok()?,
    };
    let mut parts = text.trim_end_matches('\r').split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    if whole {
        let version = parts.next()?;
        if parts.next().is_some() || !version.starts_with("HTTP/1.") {
            return None;
        }
    }
    let path = if target.starts_with('/') {
        target
    } else {
        let rest = target.split_once("://")?.1;
        rest.find('/').map_or("/", |i| &rest[i..])
    };
    Some((method, path.split('?').next().unwrap_or(path)))
}

/// A whole HTTP/1.1 answer with a problem+json body, closing the connection.
pub fn problem_answer(status: u16, reason: &str, body: &[u8]) -> Bytes {
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    Bytes::from(out)
}

fn is_hyper_parse_error(buf: &[u8]) -> bool {
    if !buf.starts_with(HYPER_400) {
        return false;
    }
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(buf.len());
    let head = buf[..head_end].to_ascii_lowercase();
    head.windows(19).any(|w| w == b"content-length: 0\r\n") || head.ends_with(b"content-length: 0")
}

impl<T: AsyncWrite + Unpin> HeadGuard<T> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            bytes::Buf::advance(&mut self.pending, n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for HeadGuard<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        let this = &mut *self;
        this.scan(&buf.filled()[before..]);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for HeadGuard<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if is_hyper_parse_error(buf) {
            let this = &mut *self;
            this.pending = if this.auth_bad && this.token_route {
                this.auth_answer.clone()
            } else {
                problem_answer(
                    400,
                    "Bad Request",
                    br#"{"type":"/problems/malformed-request","title":"Bad Request","status":400,"detail":"the request line or a header is malformed (for instance a control byte or a bare CR in a header value, RFC 9110 5.5)"}"#,
                )
            };
            this.auth_bad = false;
            this.token_route = false;
            // The replacement stands for all of hyper's answer; it is written before anything else.
            let _ = self.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_control_bytes_in_authorization_lines_only() {
        let mut g = HeadGuard::new((), Bytes::new());
        g.scan(b"POST / HTTP/1.1\r\nUser-Agent: a\x7fb\r\nAuthoriz");
        assert!(!g.auth_bad);
        g.scan(b"ation: Bearer x\x00\r\n\r\n");
        assert!(g.auth_bad);
        let mut g = HeadGuard::new((), Bytes::new());
        g.scan(b"GET / HTTP/1.1\r\nAUTHORIZATION: Bearer \xff\tx\r\n\r\n");
        assert!(!g.auth_bad, "0xFF and tab are allowed bytes");
        // A bare CR, in the middle or just before the line's CRLF.
        for line in [&b"Authorization: Bearer x\ry\r\n"[..], b"Authorization: Bearer x\r\r\n"] {
            let mut g = HeadGuard::new((), Bytes::new());
            g.scan(b"POST /v1/snapshots?source=a HTTP/1.1\r\n");
            g.scan(line);
            assert!(g.auth_bad && g.token_route, "{line:?}");
        }
        // A bare LF inside the token, and a line folded onto the Authorization line.
        for line in [
            &b"Authorization: Bearer x\ny\r\n"[..],
            b"Authorization: Bearer x\r\n y\r\n",
        ] {
            let mut g = HeadGuard::new((), Bytes::new());
            g.scan(b"PUT /v1/sources/a HTTP/1.1\r\n");
            g.scan(line);
            assert!(g.auth_bad && g.token_route, "{line:?}");
        }
        let mut g = HeadGuard::new((), Bytes::new());
        g.scan(b"POST /v1/snapshots HTTP/1.1\r\nHost: t\r\n\tx\r\nAuthorization: Bearer x\r\n\r\n");
        assert!(!g.auth_bad, "a fold onto another header is not about the token");
    }

    /// What a guard has noted, to compare two ways of feeding it the same bytes.
    fn noted(g: &HeadGuard<()>) -> (bool, bool, u64, Framing, bool, Vec<u8>) {
        (
            g.auth_bad,
            g.token_route,
            g.body_left,
            g.framing,
            g.scan_bodies,
            g.line.clone(),
        )
    }

    #[test]
    fn bodies_of_a_stated_length_pass_unscanned_and_the_next_head_is_read() {
        // A body that looks like a head with a bad token on a token route, without a final LF.
        let body = b"POST /v1/scenarios HTTP/1.1\r\nAuthorization: Bearer x\x00\r\nk,30.5,50.4";
        let mut stream = format!(
            "\r\nPOST /v1/classify?date=2024-05-01 HTTP/1.1\r\nHost: t\r\ncontent-LENGTH: \t{} \r\n\r\n",
            body.len()
        )
        .into_bytes();
        stream.extend_from_slice(body);
        let mut g = HeadGuard::new((), Bytes::new());
        g.scan(&stream);
        assert!(!g.auth_bad && !g.token_route, "the body was read as a head");
        assert_eq!((g.body_left, g.framing, g.scan_bodies), (0, Framing::NotStarted, false));
        // The next request on the connection is read from its first byte.
        g.scan(b"POST /v1/snapshots?source=a HTTP/1.1\r\nAuthorization: Bearer x\x01\r\n");
        assert!(g.auth_bad && g.token_route);
        assert_eq!(g.framing, Framing::NoBody);
        // A request without a body: the next head follows at once.
        let mut g = HeadGuard::new((), Bytes::new());
        g.scan(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nPOST /v1/scenarios HTTP/1.1\r\n");
        assert!(g.token_route);
        assert_eq!((g.body_left, g.framing), (0, Framing::NoBody));
    }

    #[test]
    fn bodies_framed_otherwise_are_scanned_as_lines_from_then_on() {
        for head in [
            &b"POST /v1/classify HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
            b"POST /v1/classify HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"POST /v1/classify HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            b"POST /v1/classify HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
            b"POST /v1/classify HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        ] {
            let mut g = HeadGuard::new((), Bytes::new());
            g.scan(head);
            assert!(g.scan_bodies && g.body_left == 0, "{:?}", String::from_utf8_lossy(head));
            g.scan(b"5\r\nPOST /v1/scenarios HTTP/1.1\r\nAuthorization: Bearer \x00\r\n");
            assert!(g.auth_bad && g.token_route, "scanned as before");
        }
        // The same length twice is one length.
        let mut g = HeadGuard::new((), Bytes::new());
        g.scan(b"POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n");
        assert_eq!((g.body_left, g.scan_bodies), (3, false));
    }

    #[test]
    fn what_is_noted_does_not_depend_on_how_the_bytes_are_cut() {
        let body = b"id,lon,lat\nAuthorization: x\x00\n";
        let mut stream = Vec::new();
        for (i, auth) in [&b"Bearer ok"[..], b"Bearer x\x00", b"Bearer \ry"].iter().enumerate() {
            stream.extend_from_slice(b"POST /v1/snapshots?source=a HTTP/1.1\r\nAuthorization: ");
            stream.extend_from_slice(auth);
            stream.extend_from_slice(format!("\r\nContent-Length: {}\r\n\r\n", body.len() + i).as_bytes());
            stream.extend_from_slice(body);
            stream.extend_from_slice(&b"zz"[..i]);
        }
        stream.extend_from_slice(b"POST /v1/scenarios HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab");
        let mut whole = HeadGuard::new((), Bytes::new());
        whole.scan(&stream);
        let want = noted(&whole);
        assert!(want.0 && want.1 && want.4, "{want:?}");
        for cut in 0..=stream.len() {
            let mut g = HeadGuard::new((), Bytes::new());
            g.scan(&stream[..cut]);
            g.scan(&stream[cut..]);
            assert_eq!(noted(&g), want, "cut at {cut}");
        }
        let mut g = HeadGuard::new((), Bytes::new());
        for b in &stream {
            g.scan(std::slice::from_ref(b));
        }
        assert_eq!(noted(&g), want, "byte by byte");
        // Each prefix ends in the state the bytes before it leave: the bad token of the second
        // request is noted before its body, and its body is skipped.
        let second = stream.windows(4).position(|w| w == b"x\x00\r\n").unwrap() + 4;
        let mut g = HeadGuard::new((), Bytes::new());
        g.scan(&stream[..second]);
        assert!(g.auth_bad && g.token_route);
    }

    #[test]
    fn knows_whether_the_request_is_for_a_route_that_checks_a_token() {
        let route = |head: &[u8]| {
            let mut g = HeadGuard::new((), Bytes::new());
            g.scan(head);
            g.token_route
        };
        assert!(route(
            b"POST /v1/snapshots?source=a&date=2024-01-01 HTTP/1.1\r\nHost: t\r\n"
        ));
        assert!(route(b"POST /v1/scenarios HTTP/1.1\r\n"));
        assert!(!route(b"POST /v1/scenarios/preview HTTP/1.1\r\n"));
        assert!(!route(b"GET /v1/snapshots HTTP/1.1\r\n"));
        assert!(!route(b"GET /v1/coverage?lon=1&lat=2 HTTP/1.1\r\n"));
        assert_eq!(request_line(b"GET /a?b HTTP/1.1\r", false), Some(("GET", "/a")));
        assert_eq!(request_line(b"Host: t", false), None);
        // The absolute form (RFC 9112 3.2.2), and a request line longer than the part kept.
        assert!(route(
            b"POST http://127.0.0.1:8080/v1/snapshots?source=a&date=2024-01-01 HTTP/1.1\r\nHost: t\r\n"
        ));
        assert!(route(b"POST HTTPS://h/v1/scenarios HTTP/1.1\r\n"));
        assert!(!route(b"POST http://h/v1/scenarios/preview HTTP/1.1\r\n"));
        let long = format!(
            "POST /v1/snapshots?source=a&date=2024-01-01&x={} HTTP/1.1\r\nHost: t\r\n",
            "y".repeat(2 * LINE_KEPT)
        );
        assert!(route(long.as_bytes()));
        // A header line is never taken for a request line, however long.
        let mut g = HeadGuard::new((), Bytes::new());
        g.scan(b"GET /v1/coverage HTTP/1.1\r\n");
        g.scan(format!("X-A: POST /v1/scenarios {}\r\n", "z".repeat(2 * LINE_KEPT)).as_bytes());
        assert!(!g.token_route);
    }

    #[test]
    fn recognises_hypers_answer_and_not_a_problem() {
        assert!(is_hyper_parse_error(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n"
        ));
        assert!(!is_hyper_parse_error(
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 90\r\n\r\n{}"
        ));
        assert!(!is_hyper_parse_error(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
    }
}
