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
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What exactly is wrong, and what is allowed.
    pub detail: String,
    /// The query parameter at fault, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Every problem found, where there are several (a refused snapshot).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub problems: Box<[String]>,
}

impl Problem {
    /// A problem of the given status.
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("/problems/{kind}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            parameter: None,
            problems: Box::default(),
        }
    }

    /// 400: a query parameter is wrong.
    pub fn parameter(name: &str, detail: impl Into<String>) -> Self {
        let mut p = Problem::new(StatusCode::BAD_REQUEST, "invalid-parameter", detail);
        p.parameter = Some(name.to_string());
        p
    }

    /// 400: the request body is wrong.
    pub fn body(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "invalid-body", detail)
    }

    /// 413.
    pub fn too_large(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", detail)
    }

    /// 415.
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", detail)
    }

    /// The status code.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The JSON body.
    pub fn to_bytes(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }

    /// The full answer.
    pub fn into_response<B: From<Bytes>>(self) -> http::Response<B> {
        let mut res = http::Response::new(B::from(self.to_bytes()));
        *res.status_mut() = self.status_code();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
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

impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match &e {
            StoreError::BadName { .. } => Problem::parameter("source", e.to_string()),
            StoreError::Busy { .. } => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "store-busy", e.to_string()),
            StoreError::ReadOnlySource { .. } => Problem::new(StatusCode::CONFLICT, "source-read-only", e.to_string()),
            StoreError::OutsideStore { .. } | StoreError::Io { .. } => {
                tracing::error!(error = %e, "store write failed");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", e.to_string())
            }
        }
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
            ScenarioError::NotFound(_) => Problem::new(StatusCode::NOT_FOUND, "unknown-scenario", detail),
            ScenarioError::InputsChanged { .. } => {
                Problem::new(StatusCode::CONFLICT, "scenario-inputs-changed", detail)
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
        tracing::warn!(rejection = ?r, "unhandled rejection");
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", format!("{r:?}"))
    };
    Ok(p.into_response())
}
