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

/// Sets `x-frontline-warning` to the answer's warnings joined by ` | ` (a CSV has no other room
/// for them, and a client reading only the status sees them); characters a header cannot carry
/// are written as `?`. Nothing when there are none.
fn warn(mut res: Reply, warnings: &[String]) -> Reply {
    if !warnings.is_empty() {
        let text: String = warnings
            .join(" | ")
            .chars()
            .map(|c| if c == ' ' || c.is_ascii_graphic() { c } else { '?' })
            .collect();
        if let Ok(v) = warp::http::HeaderValue::from_str(&text) {
            res.headers_mut().insert("x-frontline-warning", v);
        }
    }
    res
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
            return Ok(warn(json_response(&ag.summary()), &ag.warnings));
        }
        let body = ag.geojson(precision).map_err(Problem::from)?;
        Ok(warn(
            bytes_response(StatusCode::OK, "application/geo+json", body),
            &ag.warnings,
        ))
    })
    .await
}

/// `GET /v1/agreement/timeline?sources=&from=&to=&raw=` (CSV with `Accept: text/csv`).
pub(super) async fn timeline(raw: String, accept: Option<String>, app: Arc<App>) -> Reply {
    blocking(move || {
        let p = Params::parse(&raw, &["sources", "from", "to", "raw", "known_at"])?;
        let sources = sources_param(&p)?;
        // `from` after `to` is refused by the library, as for the CLI.
        let (from, to) = (p.date("from")?, p.date("to")?);
        // By the weights of Accept (RFC 9110 §12.5.1); nothing acceptable: the default JSON.
        let csv = super::negotiate::preferred(accept.as_deref(), &["application/json", "text/csv"]) == Some("text/csv");
        let catalog = app.catalog_for(&p)?;
        let t = agreement_timeline(&catalog, sources.as_deref(), from, to, p.flag("raw")?)?;
        let source_terms = SourceRef::of_names(&catalog, &t.sources);
        if csv {
            let mut out = format!("{}\n", AgreementRow::csv_header(&t.sources));
            for r in &t.rows {
                out.push_str(&r.to_csv());
            }
            return Ok(warn(csv_response(out, &source_terms), &t.warnings));
        }
        let warnings = t.warnings.clone();
        Ok(warn(
            json_response(&crate::output::answers::AgreementTimeline {
                sources: t.sources,
                source_terms,
                edges: crate::geodesy::EDGES,
                most_disputed: t.most_disputed.map(|(date, km2)| crate::output::answers::MostDisputed {
                    date,
                    occupied_disputed_km2: km2,
                }),
                most_disputed_reason: t.most_disputed_reason,
                left_out: t.left_out,
                contested_not_drawn: t.contested_not_drawn,
                warnings: t.warnings,
                rows: t.rows,
            }),
            &warnings,
        ))
    })
    .await
}
