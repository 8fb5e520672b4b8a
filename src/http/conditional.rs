//! Conditional requests (RFC 9110 §13), in the order of §13.2.2 ([`Preconditions::evaluate`]):
//! `If-Match` (strong comparison, `*`: the resource exists), else `If-Unmodified-Since`; then
//! `If-None-Match` (weak comparison over every member of every field line, and `*`), else
//! `If-Modified-Since` on GET and HEAD. A failed `If-Match` / `If-Unmodified-Since`, or a
//! matching `If-None-Match` on a write, is a 412; a matching `If-None-Match` or an unmodified
//! `If-Modified-Since` on GET or HEAD a 304, which keeps the headers §15.4.5 asks for.
//!
//! Entity tags are parsed by hand (a few lines over RFC 9110 §8.8.3's grammar); dates with
//! `httpdate`, which hyper already uses for `Date` and which reads all three HTTP-date forms.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use warp::http::{HeaderMap, HeaderValue, Response, StatusCode, header};

/// The opaque part of an entity tag (`"abc"` of `W/"abc"`), or `None` if it is not one.
fn opaque(tag: &str) -> Option<&str> {
    let t = tag.trim();
    let t = t.strip_prefix("W/").unwrap_or(t);
    (t.len() >= 2 && t.starts_with('"') && t.ends_with('"') && !t[1..t.len() - 1].contains('"')).then_some(t)
}

/// The members of one `If-None-Match` field line: `*`, or entity tags (weak or strong). Tags may
/// hold commas inside their quotes, so the list is read by the grammar, not split on commas.
fn members(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return out;
        }
        // A member is `*` or one entity tag, then optional whitespace and a comma or the end:
        // anything else after it (`W/"abc"junk`) makes the whole member malformed, and a
        // malformed member matches nothing.
        let start = rest;
        let len = match rest.strip_prefix('*') {
            Some(_) => Some(1),
            None => {
                let body = rest.strip_prefix("W/").unwrap_or(rest);
                body.strip_prefix('"').and_then(|after_quote| {
                    after_quote
                        .find('"')
                        .map(|end| (start.len() - after_quote.len()) + end + 1)
                })
            }
        };
        match len {
            Some(len) if ends_member(&start[len..]) => {
                out.push(&start[..len]);
                rest = &start[len..];
            }
            _ => {
                // Not a member: skip to the next comma outside quotes (a tag may hold commas).
                rest = skip_member(start);
            }
        }
    }
}

/// Whether what follows a member is only whitespace up to a comma or the end.
fn ends_member(after: &str) -> bool {
    let t = after.trim_start_matches([' ', '\t']);
    t.is_empty() || t.starts_with(',')
}

/// What follows a malformed member: from its next comma outside double quotes, or nothing.
fn skip_member(member: &str) -> &str {
    let mut quoted = false;
    for (i, c) in member.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => return &member[i..],
            _ => {}
        }
    }
    ""
}

/// Whether any `If-None-Match` field line of `headers` matches `etag` by the weak comparison
/// (two tags match when their opaque parts are equal, `W/` or not), or is `*`.
pub fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    let Some(ours) = opaque(etag) else { return false };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(members)
        .any(|m| m == "*" || opaque(m) == Some(ours))
}

/// Whether two entity tags match by the strong comparison (RFC 9110 §8.8.3.2): neither is weak
/// and their opaque parts are equal.
fn strong_match(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    !a.starts_with("W/") && !b.starts_with("W/") && opaque(a).is_some() && opaque(a) == opaque(b)
}

/// What the preconditions of a request decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// No precondition failed: the method is applied.
    Proceed,
    /// 304: a GET or HEAD whose `If-None-Match` matched or whose `If-Modified-Since` holds.
    NotModified,
    /// 412: the field named failed.
    Failed(&'static str),
}

/// The precondition fields of a request (`If-Match`, `If-Unmodified-Since`, `If-None-Match`,
/// `If-Modified-Since`), kept for whoever evaluates them: the dispatcher on a GET's answer, a
/// write handler under the writer lock (the dispatcher puts them in the request's extensions).
#[derive(Debug, Clone, Default)]
pub struct Preconditions(HeaderMap);

impl Preconditions {
    /// The precondition fields of `headers`, every field line of each.
    pub fn of(headers: &HeaderMap) -> Self {
        let mut out = HeaderMap::new();
        for name in [
            header::IF_MATCH,
            header::IF_UNMODIFIED_SINCE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
        ] {
            for v in headers.get_all(&name) {
                out.append(name.clone(), v.clone());
            }
        }
        Preconditions(out)
    }

    /// Whether the request has any precondition.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// Evaluates the preconditions against the current representation (RFC 9110 §13.2.2):
    /// `current` its entity tag, `exists` whether there is one (`*` matches only then),
    /// `last_modified` its date; `read` for GET and HEAD (a matching `If-None-Match` is a 304
    /// there, a 412 on a write; `If-Modified-Since` is read only there).
    pub fn evaluate(
        &self,
        read: bool,
        current: Option<&str>,
        exists: bool,
        last_modified: Option<SystemTime>,
    ) -> Decision {
        let h = &self.0;
        let date = |name: header::HeaderName| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| httpdate::parse_http_date(v).ok())
        };
        // Whether a member of the field `name` matches: `*` when the resource exists, a tag by
        // `compare` with the current one.
        let any_member = |name: header::HeaderName, compare: &dyn Fn(&str, &str) -> bool| {
            h.get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(members)
                .any(|m| {
                    if m == "*" {
                        exists
                    } else {
                        current.is_some_and(|c| compare(m, c))
                    }
                })
        };
        if h.contains_key(header::IF_MATCH) {
            let matched = any_member(header::IF_MATCH, &|m, c| strong_match(m, c));
            if !matched {
                return Decision::Failed("If-Match");
            }
        } else if let (Some(since), Some(lm)) = (date(header::IF_UNMODIFIED_SINCE), last_modified)
            && lm > since
        {
            return Decision::Failed("If-Unmodified-Since");
        }
        if h.contains_key(header::IF_NONE_MATCH) {
            // Weak comparison (RFC 9110 §8.8.3.2): the opaque tags alone.
            let matched = any_member(header::IF_NONE_MATCH, &|m, c| {
                opaque(c).is_some_and(|c| opaque(m) == Some(c))
            });
            return match (matched, read) {
                (false, _) => Decision::Proceed,
                (true, true) => Decision::NotModified,
                (true, false) => Decision::Failed("If-None-Match"),
            };
        }
        if read && not_modified(h, current, last_modified) {
            return Decision::NotModified;
        }
        Decision::Proceed
    }
}

/// The `Last-Modified` of a representation that changed at `changed`: whole seconds (HTTP dates
/// have no fraction), `None` while that is later than now (a `Last-Modified` must not be later
/// than the answer's `Date`). Whoever records `changed` keeps two changes out of one second
/// (see `App::swap`), so that a change is never hidden by the rounding.
pub fn last_modified(changed: SystemTime) -> Option<SystemTime> {
    let d = changed.duration_since(UNIX_EPOCH).ok()?;
    let t = UNIX_EPOCH + Duration::from_secs(d.as_secs());
    (SystemTime::now() >= t).then_some(t)
}

/// Whether a GET or HEAD answer with these validators is "not modified" for this request:
/// `If-None-Match` decides when present; otherwise `If-Modified-Since` (an unreadable date is
/// ignored, and so is a date later than the server's clock: RFC 9110 §13.1.3 calls it invalid).
pub fn not_modified(request: &HeaderMap, etag: Option<&str>, last_modified: Option<SystemTime>) -> bool {
    if request.contains_key(header::IF_NONE_MATCH) {
        return etag.is_some_and(|e| none_match(request, e));
    }
    let since = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .filter(|since| *since <= SystemTime::now());
    match (since, last_modified) {
        (Some(since), Some(lm)) => lm <= since,
        _ => false,
    }
}

/// The `Last-Modified` header value of a time.
pub fn http_date(t: SystemTime) -> HeaderValue {
    HeaderValue::from_str(&httpdate::fmt_http_date(t)).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A 304 answer carrying the validators and caching headers of the answer it stands for.
pub fn not_modified_response<B: Default>(headers: &HeaderMap) -> Response<B> {
    let mut res = Response::new(B::default());
    *res.status_mut() = StatusCode::NOT_MODIFIED;
    for name in [
        header::ETAG,
        header::LAST_MODIFIED,
        header::CACHE_CONTROL,
        header::VARY,
        header::EXPIRES,
        header::CONTENT_LOCATION,
    ] {
        for v in headers.get_all(&name) {
            res.headers_mut().append(name.clone(), v.clone());
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inm(lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append(header::IF_NONE_MATCH, HeaderValue::from_str(l).unwrap());
        }
        h
    }

    #[test]
    fn weak_comparison_over_every_member_of_every_line() {
        let e = "\"f2d8\"";
        assert!(none_match(&inm(&["\"f2d8\""]), e));
        assert!(none_match(&inm(&["W/\"f2d8\""]), e));
        assert!(none_match(&inm(&["\"abc\", W/\"f2d8\""]), e));
        assert!(none_match(&inm(&["\"abc\"", "\"f2d8\""]), e));
        assert!(none_match(&inm(&["*"]), e));
        assert!(none_match(&inm(&["\"f2d8\""]), "W/\"f2d8\""));
        // A tag with anything but a comma after it is malformed and matches nothing; the
        // members after it are still read (a tester's `W/"f2d8"garbage` was a 304).
        for malformed in [
            "W/\"f2d8\"garbage",
            "\"f2d8\"x",
            "W/\"f2d8\"x, \"y\"",
            "*x",
            "W/\"f2d8\" \"f2d8\"",
        ] {
            assert!(!none_match(&inm(&[malformed]), e), "{malformed}");
        }
        assert!(none_match(&inm(&["\"a,b\"junk, W/\"f2d8\""]), e));
        assert!(none_match(&inm(&["W/\"f2d8\" , \"y\""]), e));
        assert!(!none_match(&inm(&["\"f2d8-gzip\""]), e));
        assert!(!none_match(&inm(&["\"abc\", \"def\""]), e));
        assert!(!none_match(&inm(&["f2d8"]), e), "an unquoted tag is not a tag");
        // A comma inside a tag is part of the tag.
        assert!(none_match(&inm(&["\"a,b\""]), "\"a,b\""));
        assert!(!none_match(&inm(&["\"a,b\""]), "\"b\""));
        assert!(!none_match(&inm(&[]), e));
    }

    #[test]
    fn modified_since_only_without_if_none_match() {
        let lm = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(header::IF_MODIFIED_SINCE, http_date(lm));
        assert!(not_modified(&h, Some("\"x\""), Some(lm)));
        assert!(!not_modified(&h, Some("\"x\""), Some(lm + Duration::from_secs(1))));
        assert!(!not_modified(&h, Some("\"x\""), None));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"y\""));
        assert!(!not_modified(&h, Some("\"x\""), Some(lm)), "If-None-Match decides");
        let mut bad = HeaderMap::new();
        bad.insert(header::IF_MODIFIED_SINCE, HeaderValue::from_static("yesterday"));
        assert!(!not_modified(&bad, None, Some(lm)));
        // A date later than the server's clock is invalid (RFC 9110 13.1.3): ignored, even
        // though the resource did not change after it.
        let mut future = HeaderMap::new();
        future.insert(
            header::IF_MODIFIED_SINCE,
            http_date(SystemTime::now() + Duration::from_secs(86_400)),
        );
        assert!(!not_modified(&future, None, Some(lm)));
        let mut now = HeaderMap::new();
        now.insert(
            header::IF_MODIFIED_SINCE,
            http_date(SystemTime::now() - Duration::from_secs(2)),
        );
        assert!(not_modified(&now, None, Some(lm)));
    }

    #[test]
    fn preconditions_in_the_order_of_rfc_9110_13_2_2() {
        let lm = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let pre = |lines: &[(header::HeaderName, &str)]| {
            let mut h = HeaderMap::new();
            for (n, v) in lines {
                h.append(n.clone(), HeaderValue::from_str(v).unwrap());
            }
            Preconditions::of(&h)
        };
        let (im, ius, inm, ims) = (
            header::IF_MATCH,
            header::IF_UNMODIFIED_SINCE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
        );
        let before = httpdate::fmt_http_date(lm - Duration::from_secs(10));
        let at = httpdate::fmt_http_date(lm);
        let tag = Some("\"abc\"");
        let eval = |p: Preconditions, read: bool| p.evaluate(read, tag, true, Some(lm));
        assert_eq!(eval(pre(&[]), true), Decision::Proceed);
        assert_eq!(eval(pre(&[(im.clone(), "\"abc\"")]), false), Decision::Proceed);
        assert_eq!(eval(pre(&[(im.clone(), "\"x\", \"abc\"")]), false), Decision::Proceed);
        assert_eq!(eval(pre(&[(im.clone(), "*")]), false), Decision::Proceed);
        assert_eq!(
            eval(pre(&[(im.clone(), "W/\"abc\"")]), true),
            Decision::Failed("If-Match"),
            "strong comparison"
        );
        assert_eq!(eval(pre(&[(im.clone(), "\"x\"")]), true), Decision::Failed("If-Match"));
        assert_eq!(
            pre(&[(im.clone(), "*")]).evaluate(false, None, false, None),
            Decision::Failed("If-Match"),
            "* needs a current representation"
        );
        assert_eq!(
            pre(&[(im.clone(), "\"abc\"")]).evaluate(true, Some("W/\"abc\""), true, None),
            Decision::Failed("If-Match"),
            "a weak current tag never matches strongly"
        );
        assert_eq!(
            eval(pre(&[(ius.clone(), &before)]), true),
            Decision::Failed("If-Unmodified-Since")
        );
        assert_eq!(eval(pre(&[(ius.clone(), &at)]), false), Decision::Proceed);
        assert_eq!(eval(pre(&[(ius.clone(), "not a date")]), false), Decision::Proceed);
        assert_eq!(
            eval(pre(&[(im.clone(), "\"abc\""), (ius.clone(), &before)]), false),
            Decision::Proceed,
            "If-Match decides when present"
        );
        assert_eq!(eval(pre(&[(inm.clone(), "W/\"abc\"")]), true), Decision::NotModified);
        assert_eq!(
            eval(pre(&[(inm.clone(), "*")]), false),
            Decision::Failed("If-None-Match")
        );
        assert_eq!(
            pre(&[(inm.clone(), "*")]).evaluate(false, None, false, None),
            Decision::Proceed,
            "create only if absent"
        );
        assert_eq!(eval(pre(&[(ims.clone(), &at)]), true), Decision::NotModified);
        assert_eq!(eval(pre(&[(ims.clone(), &at)]), false), Decision::Proceed);
        assert_eq!(
            eval(pre(&[(im.clone(), "\"x\""), (inm.clone(), "\"abc\"")]), true),
            Decision::Failed("If-Match"),
            "If-Match first"
        );
    }

    #[test]
    fn last_modified_is_whole_seconds_and_never_in_the_future() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
        assert_eq!(last_modified(t), Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)));
        assert_eq!(last_modified(SystemTime::now() + Duration::from_secs(5)), None);
    }
}
