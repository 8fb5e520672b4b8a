//! The handlers of `/v1/agreement` (where sources agree on a date: GeoJSON, or the areas only
//! with `summary=true`) and `/v1/agreement/timeline` (the areas on every date, JSON or CSV).
//! The overlays run off the async threads.

use super::App;
use super::params::Params;
use super::problem::Problem;
use super::routes::{answer, bytes_response, csv_response, json_response};
use crate::analytics::agreement::{AgreementRow, agreement, agreement_timeline};
use crate::output::provenance::SourceRef;
use std::sync::Arc;
use warp::http::StatusCode;
use warp::reply::Response as Reply;

/// `sources=a,b,...` or `sources=all` (absent: the default of each question).
pub(super) fn sources_param(p: &Params) -> Result<Option<Vec<String>>, Problem> {
    match p.get("sources") {
        None => Ok(None),
        Some(list) => Ok(crate::analytics::agreement::sources_list(list)?),
    }
}

async fn blocking(f: impl FnOnce() -> Result<Reply, Problem> + Send + 'static) -> Reply {
    answer(tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| Err(e.into())))
}

/// `GET /v1/agreement?date=|datetime=&sources=&raw=&precision=&summary=`.
pub(super) async fn on_date(raw: String, app: Arc<App>) -> Reply {
    blocking(move || {
        let p = Params::parse(
            &raw,
            &["date", "datetime", "sources", "raw", "precision", "summary", "known_at"],
        )?;
        let when = p.required_when()?;
        let sources = sources_param(&p)?;
        let precision = match p.get("precision") {
            None => 6,
            Some(v) => v.parse::<u8>().ok().filter(|n| *n <= 15).ok_or_else(|| {
                Problem::parameter("precision", format!("precision '{v}' must be an integer 0 to 15"))
            })?,
        };
        let ag = agreement(&*app.catalog_for(&p)?, sources.as_deref(), when, p.flag("raw")?)?;
        if p.flag("summary")? {
            return Ok(json_response(&ag.summary()));
        }
        let body = ag.geojson(precision).map_err(Problem::from)?;
        Ok(bytes_response(StatusCode::OK, "application/geo+json", body))
    })
    .await
}

/// `GET /v1/agreement/timeline?sources=&from=&to=&raw=` (CSV with `Accept: text/csv`).
pub(super) async fn timeline(raw: String, accept: Option<String>, app: Arc<App>) -> Reply {
    blocking(move || {
        let p = Params::parse(&raw, &["sources", "from", "to", "raw", "known_at"])?;
        let sources = sources_param(&p)?;
        let (from, to) = (p.date("from")?, p.date("to")?);
        if let (Some(a), Some(b)) = (from, to)
            && a > b
        {
            return Err(Problem::parameter("from", format!("from {a} is after to {b}")));
        }
        // By the weights of Accept (RFC 9110 §12.5.1); nothing acceptable: the default JSON.
        let csv = super::negotiate::preferred(accept.as_deref(), &["application/json", "text/csv"]) == Some("text/csv");
        let catalog = app.catalog_for(&p)?;
        let (names, rows) = agreement_timeline(&catalog, sources.as_deref(), from, to, p.flag("raw")?)?;
        let source_terms = SourceRef::of_names(&catalog, &names);
        if csv {
            let mut out = format!("{}\n", AgreementRow::csv_header(&names));
            for r in &rows {
                out.push_str(&r.to_csv());
            }
            return Ok(csv_response(out, &source_terms));
        }
        let most = rows
            .iter()
            .max_by(|a, b| a.occupied.disputed_km2.total_cmp(&b.occupied.disputed_km2))
            .map(|r| (r.date, r.occupied.disputed_km2));
        Ok(json_response(&crate::output::answers::AgreementTimeline {
            sources: names,
            source_terms,
            edges: crate::geodesy::EDGES,
            most_disputed: most.map(|(date, km2)| crate::output::answers::MostDisputed {
                date,
                occupied_disputed_km2: km2,
            }),
            rows,
        }))
    })
    .await
}
