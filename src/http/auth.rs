//! The bearer token: one check for every route that takes it.
//!
//! Which requests need the token is written in the route table ([`super::table::Route::token`]:
//! `PUT /v1/sources/{name}`, `POST /v1/snapshots`, `POST /v1/scenarios`). The dispatcher checks
//! it there ([`authorize`]), before the handler runs and before anything of the body is read,
//! and marks the request [`Authorized`]; the handlers of those routes take the mark
//! (`authorized`) and refuse a request without it, so that the warp routes served without the
//! dispatcher fail closed. The socket wrapper [`super::head_guard`] answers a request whose
//! `Authorization` line hyper's parser refused (a NUL, a bare CR, a stray LF...) from the same
//! table, with the answer a wrong token gets. So every token route answers the same stray bytes
//! with the same status:
//!
//! - ingest off (no token configured): `403 ingest-off`, whatever is presented;
//! - no `Authorization`, an empty one, another scheme, `Bearer` without a token, or more than one
//!   `Authorization` line (whatever they hold; neither is taken): `401` with
//!   `WWW-Authenticate: Bearer`;
//! - a `Bearer` token that does not match, whatever bytes it holds (control bytes, a bare CR or
//!   LF, a tab, bytes that are not ASCII): `403 forbidden`, never told apart from a wrong token.
//!
//! The scheme is matched without regard to case and is followed by one or more spaces (RFC 9110
//! §11.1 and §11.4); spaces and tabs around the token are not part of it.

use super::App;
use super::problem::Problem;
use sha2::{Digest, Sha256};
use warp::Filter;

/// Compares a presented token with the configured one in time that depends on neither: both are
/// hashed to 32 bytes first and every byte is compared. Written here because it is four lines;
/// a crate would add a dependency for them.
pub fn token_matches(presented: &[u8], expected: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(presented), Sha256::digest(expected));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token of a `Bearer` credential (an `Authorization` value's raw bytes), or `None` when the
/// value holds no credential of that scheme or no token.
pub fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let value = trim_ows(value);
    let space = value.iter().position(|&b| b == b' ')?;
    let (scheme, rest) = value.split_at(space);
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let token = trim_ows(rest);
    (!token.is_empty()).then_some(token)
}

/// `b` without the spaces and tabs at either end (optional whitespace, RFC 9110 §5.6.3; a
/// field's value, §5.5).
pub(super) fn trim_ows(b: &[u8]) -> &[u8] {
    crate::model::trim_blanks(b)
}

/// Checks an `Authorization` header (its raw bytes: a value that is not text, such as a token
/// with a stray 0xFF, is a token that does not match, never another kind of error): `Ok` when
/// ingest is on and the bearer token matches.
///
/// # Errors
/// `403 ingest-off` without a configured token; `401` without a bearer token; `403 forbidden`
/// for a token that does not match.
pub fn authorize(app: &App, authorization: Option<&[u8]>) -> Result<(), Problem> {
    let Some(expected) = app.config.ingest_token.as_deref() else {
        return Err(Problem::forbidden(
            "ingest-off",
            "ingest is off: the server was started without --ingest-token-file or FRONTLINE_INGEST_TOKEN",
        ));
    };
    let Some(presented) = authorization.and_then(bearer_token) else {
        return Err(Problem::unauthorized(
            "an Authorization: Bearer <token> header is required",
        ));
    };
    if token_matches(presented, expected.as_bytes()) {
        Ok(())
    } else {
        Err(Problem::forbidden("forbidden", "the bearer token is not valid"))
    }
}

/// The mark the dispatcher puts on a request whose bearer token it checked and accepted.
#[derive(Debug, Clone, Copy)]
pub struct Authorized(());

impl Authorized {
    /// Checks `req`'s `Authorization` ([`authorize`]) and marks it authorized.
    ///
    /// # Errors
    /// The refusal, as [`authorize`].
    pub fn check<B>(app: &App, req: &mut warp::http::Request<B>) -> Result<(), Problem> {
        let mut lines = req.headers().get_all(warp::http::header::AUTHORIZATION).iter();
        let first = lines.next();
        if lines.next().is_some() && app.config.ingest_token.is_some() {
            // Two credentials: neither is taken (not the first, not the last), whatever they hold.
            return Err(Problem::unauthorized(
                "more than one Authorization header line: send exactly one Authorization: Bearer <token>",
            ));
        }
        authorize(app, first.map(warp::http::HeaderValue::as_bytes))?;
        req.extensions_mut().insert(Authorized(()));
        Ok(())
    }
}

/// The filter of a handler that needs the token: `Ok` when the dispatcher marked the request
/// [`Authorized`], else the refusal a request without a token gets.
pub(super) fn authorized()
-> impl Filter<Extract = (Result<Authorized, Problem>,), Error = std::convert::Infallible> + Clone + Send + Sync + 'static
{
    warp::ext::optional::<Authorized>().map(|a: Option<Authorized>| {
        a.ok_or_else(|| {
            Problem::unauthorized(
                "an Authorization: Bearer <token> header is required (checked by the server's dispatcher)",
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_is_case_insensitive_and_the_token_follows_one_or_more_spaces() {
        for (value, token) in [
            (&b"Bearer abc"[..], Some(&b"abc"[..])),
            (b"bearer abc", Some(b"abc")),
            (b"BEARER abc", Some(b"abc")),
            (b"bEaReR  abc", Some(b"abc")),
            (b"Bearer abc\t", Some(b"abc")),
            (b" Bearer \tabc ", Some(b"abc")),
            (b"Bearer a\tb", Some(b"a\tb")),
            (b"Bearer a\xffb", Some(b"a\xffb")),
            (b"Bearer a b", Some(b"a b")),
            (b"Bearer", None),
            (b"Bearer ", None),
            (b"Bearer  \t ", None),
            (b"Bearer\tabc", None),
            (b"Bearerabc", None),
            (b"Basic YWJjOmRlZg==", None),
            (b"", None),
            (b"   ", None),
            (b"Bear\xc3\xa9r abc", None),
        ] {
            assert_eq!(bearer_token(value), token, "{:?}", String::from_utf8_lossy(value));
        }
    }

    #[test]
    fn tokens_are_compared_whole() {
        assert!(token_matches(b"abc", b"abc"));
        assert!(!token_matches(b"abc", b"abcd"));
        assert!(!token_matches(b"abc\0", b"abc"));
        assert!(!token_matches(b"", b"abc"));
    }
}
