//! RFC 9457 problem details: every error answer of the HTTP API, and the one place where error
//! kinds become status codes.

use crate::catalog::CatalogError;
use bytes::Bytes;
use serde::Serialize;
use warp::http::{self, HeaderValue, StatusCode, header};

/// An error answer: `application/problem+json`.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem (relative to the API).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: &'static str,
    /// HTTP status code.
    pub status: u16,
    /// What exactly is wrong, and what is allowed.
    pub detail: String,
    /// The query parameter at fault, where there is one (for a body checked member by member,
    /// such as a source's description, the member at fault).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Every problem found in a refused body (a snapshot): typed findings.
    #[serde(skip_serializing_if = "<[BodyFinding]>::is_empty")]
    pub problems: Box<[BodyFinding]>,
    /// The members only some problems carry (boxed: most problems have none).
    #[serde(flatten)]
    pub members: Option<Box<Members>>,
    /// Seconds after which the request may be tried again (`Retry-After`), where it may.
    #[serde(skip)]
    pub retry_after: Option<u16>,
}

/// The members only some problems carry.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Members {
    /// What the server has loaded so far, where it is not ready yet (`/readyz`): the members
    /// of its readiness answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<serde_json::Value>,
    /// The server's limit a request went past (`scenario-too-large`,
    /// `scenario-computation-deadline`): its name, its value and the request's figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitPassed>,
    /// `scenario-inputs-changed`: the id the stored document has on today's inputs (what the
    /// listing's `id_now` says), so that a client can follow it without parsing `detail`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_now: Option<String>,
}

/// A server limit a request went past, as a problem's `limit` member.
#[derive(Debug, Clone, Serialize)]
pub struct LimitPassed {
    /// The server flag that sets it (`--max-scenario-exclusion-vertices`).
    pub name: &'static str,
    /// Its value (in the flag's unit).
    pub max: f64,
    /// The request's figure (absent when it is not known: a computation given up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// One finding of a refused body, typed: a stable `code` (the `kind` of `frontline check
/// --json` for the loader's findings: `position`, `long-edge`, `invalid-geometry`...; the
/// admission policy's and import's own codes otherwise), the feature it is about (0-based
/// index in `features`) and where inside it, and the sentence. Clients match on `code`, never
/// on `message`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BodyFinding {
    /// A stable code naming the kind of finding.
    pub code: &'static str,
    /// The feature it is about, where it is about one (0-based index in `features`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<usize>,
    /// Where inside the feature (polygon, ring, position), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// What is wrong, as a sentence (the body's own words, no file name).
    pub message: String,
}

impl BodyFinding {
    /// A finding of the body as a whole (no feature), of code `code`.
    pub fn whole(code: &'static str, message: impl Into<String>) -> Self {
        BodyFinding {
            code,
            feature: None,
            location: None,
            message: message.into(),
        }
    }
}

/// A loader's finding, without its file (the body has none).
impl From<&crate::geodata::Finding> for BodyFinding {
    fn from(f: &crate::geodata::Finding) -> Self {
        BodyFinding {
            code: f.kind.code(),
            feature: f.feature,
            location: f.location.clone(),
            message: f.kind.to_string(),
        }
    }
}

impl Problem {
    /// 422 `invalid-snapshot`: a snapshot body refused, with every finding (nothing was
    /// written); the detail counts them and gives the first.
    pub fn invalid_snapshot(findings: Vec<BodyFinding>) -> Self {
        let first = findings.first().map(|f| match f.feature {
            Some(i) => format!("feature {i}: {}", f.message),
            None => f.message.clone(),
        });
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-snapshot",
            format!(
                "the snapshot is invalid ({} problem(s)); nothing was written: {}",
                findings.len(),
                first.unwrap_or_default()
            ),
        );
        p.problems = findings.into_boxed_slice();
        p
    }

    /// A problem of the given status. Private: every status is decided by the named constructors
    /// and `From` conversions of this file, so that the mapping of error kinds to statuses is read
    /// in one place.
    fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("/problems/{kind}"),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            parameter: None,
            problems: Box::default(),
            members: None,
            retry_after: None,
        }
    }

    /// A server error (5xx): a new id, logged with `cause` (at `error` for a 500, `warn` for a
    /// 503); the answer's detail is `public` and the id, never the cause.
    fn server_error(status: StatusCode, kind: &str, public: &str, cause: &dyn std::fmt::Display) -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let id = format!("{secs:x}-{n}");
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error_id = %id, kind, error = %cause, "internal error");
        } else {
            tracing::warn!(error_id = %id, kind, error = %cause, "service unavailable");
        }
        Problem::new(
            status,
            kind,
            format!("{public} (error id {id}: the server's log has the details under this id)"),
        )
    }

    /// The id of a server error (5xx), as its detail names it: logged with the cause, which the
    /// answer does not show.
    pub fn error_id(&self) -> Option<&str> {
        let rest = self.detail.split("(error id ").nth(1)?;
        rest.split(':').next()
    }

    /// 400: a query parameter is wrong.
    pub fn parameter(name: &str, detail: impl Into<String>) -> Self {
        let mut p = Problem::new(StatusCode::BAD_REQUEST, "invalid-parameter", detail);
        p.parameter = Some(name.to_string());
        p
    }

    /// 422 `invalid-source-description`: a member of a source's description (or its name) is
    /// not acceptable; `parameter` names the member (or `name`, the path segment).
    pub fn description(e: crate::geodata::description::DescriptionError) -> Self {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-source-description",
            e.to_string(),
        );
        p.parameter = Some(e.field.to_string());
        p
    }

    /// 400: the request body is wrong.
    pub fn body(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "invalid-body", detail)
    }

    /// 400: the request itself is malformed (not its parameters or body).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 401: credentials are required and none were given.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// 403, of the given kind (`ingest-off`, `forbidden`, `cors-forbidden`).
    pub fn forbidden(kind: &str, detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::FORBIDDEN, kind, detail)
    }

    /// 404, of the given kind (`not-found`, `unknown-layer`, `unknown-source`...).
    pub fn not_found(kind: &str, detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, kind, detail)
    }

    /// 405 (the caller adds `Allow`).
    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", detail)
    }

    /// 406: no representation the client accepts.
    pub fn not_acceptable(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_ACCEPTABLE, "not-acceptable", detail)
    }

    /// 409, of the given kind (`snapshot-exists`).
    pub fn conflict(kind: &str, detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::CONFLICT, kind, detail)
    }

    /// 412 `precondition-failed`: a precondition of the request (RFC 9110 §13.1) did not hold
    /// against the current representation; the detail names the field.
    pub fn precondition_failed(field: &str, what: &str) -> Self {
        Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            format!("precondition failed: {field} does not hold for {what}"),
        )
    }

    /// 408 `body-timeout`: the request body arrived too slowly (RFC 9110 15.5.9); the server
    /// closes the connection.
    pub fn body_timeout(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::REQUEST_TIMEOUT, "body-timeout", detail)
    }

    /// 413.
    pub fn too_large(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", detail)
    }

    /// 415.
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", detail)
    }

    /// 422, of the given kind (`invalid-snapshot`, `date-outside-window`).
    pub fn unprocessable(kind: &str, detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, kind, detail)
    }

    /// 503, of the given kind (`shutting-down`, `store-busy`): `public` says what to do (try
    /// again later); `cause` is logged under the answer's id.
    pub fn unavailable(kind: &str, public: &str, cause: impl std::fmt::Display) -> Self {
        Problem::server_error(StatusCode::SERVICE_UNAVAILABLE, kind, public, &cause)
    }

    /// 503 `not-ready` (`/readyz` while states are computed): with an id, as every 5xx, and
    /// the readiness answer's members (`readiness`) so that a probe still sees what is loaded.
    pub fn not_ready(readiness: serde_json::Value, computed: usize, total: usize) -> Self {
        let mut p = Problem::unavailable(
            "not-ready",
            "the server is still computing the states it serves: try again shortly",
            format!("{computed} of {total} states computed"),
        );
        p.members = Some(Box::new(Members {
            readiness: Some(readiness),
            ..Members::default()
        }));
        p
    }

    /// 500: something failed that the client cannot fix. The answer carries an id, and the same
    /// id is logged (at `error`) with what failed (`what`, which the answer does not show), so
    /// that an operator can find it.
    pub fn internal(what: impl std::fmt::Display) -> Self {
        Problem::server_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error", &what)
    }

    /// The status code.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The JSON body.
    pub fn to_bytes(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }

    /// The full answer (a 401 with `WWW-Authenticate: Bearer`, the one scheme the API takes).
    pub fn into_response<B: From<Bytes>>(self) -> http::Response<B> {
        let mut res = http::Response::new(B::from(self.to_bytes()));
        *res.status_mut() = self.status_code();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == 401 {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(s) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == 408 {
            // The rest of a body too slow is never read: the connection is not reused.
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        res
    }
}

impl From<CatalogError> for Problem {
    fn from(e: CatalogError) -> Self {
        match &e {
            CatalogError::UnknownSource { .. } => Problem::new(StatusCode::NOT_FOUND, "unknown-source", e.to_string()),
            CatalogError::NoDefaultSource { .. } => Problem::parameter("source", e.to_string()),
            CatalogError::BeforeFirstSnapshot { .. } => {
                Problem::new(StatusCode::NOT_FOUND, "before-first-snapshot", e.to_string())
            }
            CatalogError::InvalidCoordinate(_) => {
                Problem::new(StatusCode::BAD_REQUEST, "invalid-parameter", e.to_string())
            }
            CatalogError::Revision { .. } => Problem::internal(&e),
        }
    }
}

impl From<crate::analytics::regions::RegionError> for Problem {
    fn from(e: crate::analytics::regions::RegionError) -> Self {
        use crate::analytics::regions::RegionError;
        match e {
            RegionError::Catalog(c) => c.into(),
            RegionError::NoRegions(_) => Problem::new(StatusCode::NOT_FOUND, "no-regions", e.to_string()),
        }
    }
}

impl From<crate::query::timeline::TimelineError> for Problem {
    fn from(e: crate::query::timeline::TimelineError) -> Self {
        use crate::query::timeline::TimelineError;
        match e {
            TimelineError::Parameters { parameter, why } => Problem::parameter(parameter, why),
            TimelineError::Catalog(c) => c.into(),
            TimelineError::Region(r) => r.into(),
        }
    }
}

impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match &e {
            StoreError::BadName { .. } => Problem::parameter("source", e.to_string()),
            StoreError::Busy { holder, waited_s, .. } => {
                let mut p = Problem::unavailable(
                    "store-busy",
                    &format!(
                        "the geodata directory is being written by another process ({holder}); waited {waited_s:.0} s for it: try again when it has finished"
                    ),
                    &e,
                );
                p.retry_after = Some(1);
                p
            }
            // Named by the store's own relative names, never the server's paths.
            StoreError::ReadOnlySource { source_name, .. } => Problem::new(
                StatusCode::CONFLICT,
                "source-read-only",
                format!(
                    "source '{source_name}' reads a third-party archive in place and is read-only: nothing is written into it. Ingest into a source of its own instead (e.g. source={source_name}-live)"
                ),
            ),
            // A server serves a store it loaded: not one is a fault of the host, not the client.
            StoreError::OutsideStore { .. } | StoreError::Io { .. } | StoreError::NotAStore { .. } => {
                Problem::server_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "storage",
                    "the geodata directory could not be written; nothing was changed",
                    &e,
                )
            }
        }
    }
}

/// A tile address that is not a tile (400), or a tile the encoder refused (500 with an id).
impl From<crate::query::tiles::TileError> for Problem {
    fn from(e: crate::query::tiles::TileError) -> Self {
        use crate::query::tiles::TileError;
        match e {
            TileError::BadAddress(m) => Problem::parameter("z/x/y", m),
            TileError::Encode(_) => Problem::internal(e),
        }
    }
}

/// Agreement between sources: a source or date problem, or sources that cannot be compared.
impl From<crate::analytics::agreement::AgreementError> for Problem {
    fn from(e: crate::analytics::agreement::AgreementError) -> Self {
        use crate::analytics::agreement::AgreementError;
        match e {
            AgreementError::Catalog(c) => c.into(),
            // As the single-source answer before the first snapshot.
            AgreementError::Uncovered(_) => Problem::new(StatusCode::NOT_FOUND, "before-first-snapshot", e.to_string()),
            AgreementError::TooFew(_)
            | AgreementError::Twice(_)
            | AgreementError::BadList(_)
            | AgreementError::Borders(..) => Problem::parameter("sources", e.to_string()),
            AgreementError::FromAfterTo { .. } => Problem::parameter("from", e.to_string()),
        }
    }
}

/// A coordinate parameter (`lon`, `lat`) is wrong: 400 naming it.
impl From<crate::model::CoordinateError> for Problem {
    fn from(e: crate::model::CoordinateError) -> Self {
        Problem::parameter(e.axis().name(), e.to_string())
    }
}

/// A refused GeoJSON batch body.
impl From<crate::query::geojson::BatchError> for Problem {
    fn from(e: crate::query::geojson::BatchError) -> Self {
        use crate::query::geojson::BatchError;
        match e {
            BatchError::TooMany { .. }
            | BatchError::FeatureTooLarge { .. }
            | BatchError::TooManyProperties { .. }
            | BatchError::MembersTooLarge { .. } => Problem::too_large(e.to_string()),
            BatchError::Catalog(c) => Problem::from(c),
            BatchError::Io(io) => Problem::from_body_io(&io),
            BatchError::ReservedProperty {
                index, ref properties, ..
            } => {
                // One typed finding per property: the feature and `properties.<name>`.
                let findings = properties
                    .iter()
                    .map(|name| BodyFinding {
                        code: "reserved-property",
                        feature: Some(index),
                        location: Some(format!("properties.{name}")),
                        message: format!("the property '{name}' is a member the answer writes"),
                    })
                    .collect::<Vec<_>>();
                let mut p = Problem::body(e.to_string());
                p.problems = findings.into_boxed_slice();
                p
            }
            other => Problem::body(other.to_string()),
        }
    }
}

/// A refused CSV batch body.
impl From<crate::query::csv::CsvError> for Problem {
    fn from(e: crate::query::csv::CsvError) -> Self {
        use crate::query::csv::CsvError;
        match e {
            CsvError::Line { .. } | CsvError::Undecodable(_) => Problem::body(e.to_string()),
            CsvError::TooManyRows { limit } => Problem::too_large(format!("more than {limit} points in one request")),
            CsvError::Io(io) => Problem::from_body_io(&io),
        }
    }
}

/// A refused CSV body of `POST /v1/history`: the CSV in the same words as the classification's
/// ([`From<CsvError>`](crate::query::csv::CsvError)), a point by its index.
impl From<crate::query::history::HistoryCsvError> for Problem {
    fn from(e: crate::query::history::HistoryCsvError) -> Self {
        use crate::query::history::HistoryCsvError;
        match e {
            HistoryCsvError::Csv(e) => Problem::from(e),
            HistoryCsvError::Batch(e) => match e.index {
                Some(i) => Problem::body(format!("point {i}: {}", e.error)),
                None => Problem::from(e.error),
            },
            HistoryCsvError::Io(e) => Problem::internal(e),
        }
    }
}

/// A blocking task that panicked or was cancelled: 500 with an id.
impl From<tokio::task::JoinError> for Problem {
    fn from(e: tokio::task::JoinError) -> Self {
        Problem::internal(format!("task failed: {e}"))
    }
}

/// An answer that could not be serialised: 500 with an id.
impl From<serde_json::Error> for Problem {
    fn from(e: serde_json::Error) -> Self {
        Problem::internal(format!("answer not serialised: {e}"))
    }
}

impl Problem {
    /// A failure reading a request body: 413 past the limit, 408 too slow, else 400.
    pub(crate) fn from_body_io(io: &std::io::Error) -> Self {
        if let Some(max) = super::stream::too_large(io) {
            return Problem::too_large(format!("request body exceeds {max} bytes"));
        }
        if let Some(slow) = super::stream::too_slow(io) {
            return Problem::body_timeout(slow.to_string());
        }
        Problem::body(format!("could not read the request body: {io}"))
    }
}

impl From<crate::scenario::ScenarioError> for Problem {
    fn from(e: crate::scenario::ScenarioError) -> Self {
        use crate::scenario::ScenarioError;
        let detail = e.to_string();
        let named = |mut p: Problem, field: &str| {
            p.parameter = Some(field.to_string());
            p
        };
        match e {
            ScenarioError::Invalid { field, .. } => named(
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-scenario", detail),
                &field,
            ),
            ScenarioError::Catalog { field, error } => {
                let kind = match error {
                    CatalogError::UnknownSource { .. } => "unknown-source",
                    CatalogError::BeforeFirstSnapshot { .. } => "before-first-snapshot",
                    _ => "invalid-scenario",
                };
                named(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, kind, detail), &field)
            }
            ScenarioError::NotADayState { field, .. } => named(
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "datetime-not-a-day-state", detail),
                &field,
            ),
            ScenarioError::NotFound(_) => Problem::new(StatusCode::NOT_FOUND, "unknown-scenario", detail),
            ScenarioError::InputsChanged { now, .. } => {
                let mut p = Problem::new(StatusCode::CONFLICT, "scenario-inputs-changed", detail);
                p.members = Some(Box::new(Members {
                    id_now: Some(now),
                    ..Members::default()
                }));
                p
            }
            ScenarioError::InputsUnavailable { .. } => {
                Problem::new(StatusCode::CONFLICT, "scenario-inputs-unavailable", detail)
            }
            // A damaged file of the server's own store: a fault of the server, not of the
            // request, named (the file relative to the geodata directory, and what is wrong) so
            // that its operator can mend it.
            ScenarioError::Unreadable { .. } => Problem::server_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "stored-scenario-unreadable",
                &detail,
                &detail,
            ),
            ScenarioError::NotItsId { .. } => Problem::server_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "stored-scenario-not-its-id",
                &detail,
                &detail,
            ),
            // Larger than the server computes for anyone: the limit and the figure named.
            ScenarioError::TooLarge {
                field, limit, max, got, ..
            } => {
                let mut p = named(
                    Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "scenario-too-large", detail),
                    &field,
                );
                p.members = Some(Box::new(Members {
                    limit: Some(LimitPassed {
                        name: limit,
                        max: max as f64,
                        value: Some(got as f64),
                    }),
                    ..Members::default()
                }));
                p
            }
            // Given up past the deadline: the server's bound on one computation, not a fault
            // of the document (another server, or this one less loaded, may compute it).
            ScenarioError::DeadlinePassed { allowed_s, .. } => {
                let mut p = Problem::server_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "scenario-computation-deadline",
                    &detail,
                    &detail,
                );
                p.members = Some(Box::new(Members {
                    limit: Some(LimitPassed {
                        name: "--scenario-deadline-s",
                        max: allowed_s,
                        value: None,
                    }),
                    ..Members::default()
                }));
                p.retry_after = Some(allowed_s.ceil().clamp(1.0, 3600.0) as u16);
                p
            }
            ScenarioError::Store(s) => s.into(),
        }
    }
}

/// Turns every warp rejection (unknown route, wrong method, too large, bad header...) into a
/// problem, so that no answer is plain text.
pub async fn recover(r: warp::Rejection) -> Result<warp::reply::Response, std::convert::Infallible> {
    let p = if r.is_not_found() {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no such route; see /openapi.json for the API",
        )
    } else if r.find::<warp::reject::MethodNotAllowed>().is_some() {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "method not allowed on this route; see /openapi.json",
        )
    } else if r.find::<warp::reject::PayloadTooLarge>().is_some() {
        Problem::too_large("request body too large")
    } else if r.find::<warp::reject::UnsupportedMediaType>().is_some() {
        Problem::unsupported_media_type("unsupported Content-Type")
    } else if r.find::<warp::reject::LengthRequired>().is_some() {
        Problem::new(
            StatusCode::LENGTH_REQUIRED,
            "length-required",
            "Content-Length required",
        )
    } else if let Some(e) = r.find::<warp::reject::InvalidHeader>() {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-header",
            format!("invalid header {}", e.name()),
        )
    } else if let Some(e) = r.find::<warp::reject::MissingHeader>() {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "missing-header",
            format!("missing header {}", e.name()),
        )
    } else if r.find::<warp::reject::InvalidQuery>().is_some() {
        Problem::new(StatusCode::BAD_REQUEST, "invalid-parameter", "invalid query string")
    } else {
        // A rejection this function does not know is a bug of ours, not of the request: its
        // debug text goes to the log only.
        Problem::internal(format!("unhandled rejection {r:?}"))
    };
    Ok(p.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Unknown;
    impl warp::reject::Reject for Unknown {}

    #[tokio::test]
    async fn an_unknown_rejection_is_a_500_with_an_id_and_no_debug_text() {
        let res = recover(warp::reject::custom(Unknown)).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(v["detail"].as_str().unwrap().contains("(error id "), "{v}");
        assert!(
            !body.windows(7).any(|w| w == b"Unknown") && !body.windows(9).any(|w| w == b"rejection"),
            "{v}"
        );
        let p = Problem::internal("boom");
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("boom"), "{}", p.detail);
        // Two problems, two ids.
        assert_ne!(Problem::internal("x").error_id(), Problem::internal("x").error_id());
        assert!(Problem::internal("x").error_id().is_some_and(|id| id.contains('-')));
    }

    /// Every 5xx that an engine error can become: an id, in the detail too, and none of the
    /// cause's text (paths of the server, OS errors, debug output).
    #[test]
    fn every_server_error_has_an_id_and_no_cause_text() {
        use crate::store::StoreError;
        let secret = "/srv/secret/geodata";
        let io = || std::io::Error::other("No space left on device");
        let problems = [
            Problem::from(StoreError::Io {
                what: "cannot write",
                path: format!("{secret}/sources/a/x.geojson"),
                error: io(),
            }),
            Problem::from(StoreError::OutsideStore {
                path: "/etc/x".into(),
                root: secret.into(),
            }),
            Problem::from(StoreError::Busy {
                root: secret.into(),
                holder: "import, pid 7".into(),
                waited_s: 10.0,
            }),
            Problem::from(crate::query::tiles::TileError::Encode("geometry #3 of layer x".into())),
            Problem::from(crate::scenario::ScenarioError::Store(StoreError::Io {
                what: "cannot write",
                path: secret.into(),
                error: io(),
            })),
            Problem::unavailable("shutting-down", "the server is shutting down", "Closed { debug: 1 }"),
            Problem::internal(format!("{:?}", io())),
        ];
        for p in &problems {
            assert!(p.status >= 500, "{p:?}");
            assert!(p.error_id().is_some_and(|id| !id.is_empty()), "no id: {p:?}");
            let text = serde_json::to_string(p).unwrap();
            for leak in [
                secret,
                "/etc/x",
                "No space left",
                "geometry #3",
                "debug",
                "Custom",
                "kind:",
            ] {
                assert!(!text.contains(leak), "{leak} in {text}");
            }
        }
        assert_eq!(problems[0].kind, "/problems/storage");
        assert_eq!(problems[2].kind, "/problems/store-busy");
        assert!(problems[2].detail.contains("import, pid 7"), "{:?}", problems[2]);
        // A 4xx has no id.
        assert_eq!(
            Problem::from(crate::query::tiles::TileError::BadAddress("z".into())).error_id(),
            None
        );
        let read_only = Problem::from(StoreError::ReadOnlySource {
            source_name: "deepstate".into(),
            archive: secret.into(),
        });
        assert_eq!(read_only.status, 409);
        assert!(!read_only.detail.contains(secret), "{}", read_only.detail);
    }

    #[test]
    fn coordinates_name_their_parameter() {
        let p = Problem::from(crate::model::LonLat::parse("30", "x").unwrap_err());
        assert_eq!((p.status, p.parameter.as_deref()), (400, Some("lat")));
        assert_eq!(p.detail, "lat 'x' is not a number");
    }
}
