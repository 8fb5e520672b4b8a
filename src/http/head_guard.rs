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
    /// An `Authorization` line of the current request held a control byte, a bare CR or LF, or
    /// had a line folded onto it.
    auth_bad: bool,
    /// The line before the current one was an `Authorization` line.
    prev_auth: bool,
    /// The current line's first bytes (up to [`LINE_KEPT`]), to read a request line.
    line: Vec<u8>,
    /// The last request line read was for a route that checks a bearer token.
    token_route: bool,
    /// A replacement answer still to be written.
    pending: Bytes,
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
        }
    }

    fn scan(&mut self, data: &[u8]) {
        for &b in data {
            if b == b'\n' {
                if let Some((method, path)) = request_line(&self.line) {
                    self.token_route = super::table::checks_token(method, path);
                    self.auth_bad = false;
                }
                // A bare LF ends the line for httparse: what follows it on the wire was part of
                // the token (a stray LF), and the rest is read as another line.
                if self.in_auth && !self.after_cr {
                    self.auth_bad = true;
                }
                self.prev_auth = self.in_auth;
                self.line.clear();
                self.line_start.clear();
                self.in_auth = false;
                self.after_cr = false;
                continue;
            }
            if self.line.is_empty() && (b == b' ' || b == b'\t') && self.prev_auth {
                // A line folded onto the Authorization line (obs-fold, RFC 9112 5.2): httparse
                // refuses it; it belongs to the token.
                self.auth_bad = true;
                self.in_auth = true;
            }
            if self.line.len() < LINE_KEPT {
                self.line.push(b);
            }
            if self.in_auth {
                // A CR not followed by LF ends no line: httparse refuses it.
                if ((b < 0x20 && b != b'\t' && b != b'\r') || b == 0x7f) || self.after_cr {
                    self.auth_bad = true;
                }
                self.after_cr = b == b'\r';
            } else if self.line_start.len() < NAME.len() {
                self.line_start.push(b.to_ascii_lowercase());
                if self.line_start.len() == NAME.len() && self.line_start == NAME {
                    self.in_auth = true;
                }
            }
        }
    }
}

/// Bytes of a line kept to read a request line (method, target, version).
const LINE_KEPT: usize = 512;

/// The method and path (without the query) of an HTTP/1.1 request line, if `line` is one.
fn request_line(line: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
    let mut parts = text.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return None;
    }
    Some((method, target.split('?').next().unwrap_or(target)))
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
            // The next request on the connection starts clean.
            g.scan(b"PUT /v1/sources/a HTTP/1.1\r\nAuthorization: Bearer x\r\nHost: t\r\n");
            assert!(!g.auth_bad);
            g.scan(b"POST /v1/snapshots HTTP/1.1\r\nHost: t\r\n\tx\r\n");
            assert!(!g.auth_bad, "a fold onto another header is not about the token");
        }
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
        assert_eq!(request_line(b"GET /a?b HTTP/1.1\r"), Some(("GET", "/a")));
        assert_eq!(request_line(b"Host: t"), None);
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
