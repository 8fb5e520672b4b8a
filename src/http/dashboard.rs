//! The built-in dashboard: a single page (`web/index.html`, `web/app.js`, `web/app.css`) on
//! MapLibre GL JS and uPlot (vendored from npm in `web/vendor/`, `scripts/vendor-web.sh`), with
//! the offline basemap of `geodata/basemap/` (Natural Earth). Every file is compiled into the
//! binary, so the dashboard works on a machine without internet; it reads only this server's API.
//!
//! `/` answers the page to a browser (an `Accept` that prefers `text/html` to
//! `application/json`, `super::negotiate`) and the JSON index of the routes to everything
//! else (a 406 to an `Accept` that takes neither); `/dashboard/{asset}` serves the rest, each with a strong ETag
//! (a hash of its bytes), gzip when accepted, and a Content-Security-Policy on the page that
//! allows this origin only.

use super::problem::Problem;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::OnceLock;
use warp::http::{HeaderValue, Response, StatusCode, header};
use warp::reply::Response as Reply;

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const GEOJSON: &str = "application/geo+json";
const TEXT: &str = "text/plain; charset=utf-8";

/// The page itself (served at `/`).
const PAGE: &str = "index.html";

/// Every file of the dashboard, by the name it is served under (`/dashboard/{name}`).
const ASSETS: &[Asset] = &[
    asset(PAGE, "text/html; charset=utf-8", include_bytes!("../../web/index.html")),
    asset("app.js", JS, include_bytes!("../../web/app.js")),
    asset("app.css", CSS, include_bytes!("../../web/app.css")),
    asset(
        "maplibre-gl.mjs",
        JS,
        include_bytes!("../../web/vendor/maplibre-gl.mjs"),
    ),
    // MapLibre starts its worker from `./maplibre-gl-worker.mjs` beside its module.
    asset(
        "maplibre-gl-worker.mjs",
        JS,
        include_bytes!("../../web/vendor/maplibre-gl-worker.mjs"),
    ),
    asset(
        "maplibre-gl.css",
        CSS,
        include_bytes!("../../web/vendor/maplibre-gl.css"),
    ),
    asset("uPlot.esm.js", JS, include_bytes!("../../web/vendor/uPlot.esm.js")),
    asset("uPlot.min.css", CSS, include_bytes!("../../web/vendor/uPlot.min.css")),
    asset(
        "LICENSE-maplibre-gl.txt",
        TEXT,
        include_bytes!("../../web/vendor/LICENSE-maplibre-gl.txt"),
    ),
    asset(
        "LICENSE-uplot.txt",
        TEXT,
        include_bytes!("../../web/vendor/LICENSE-uplot.txt"),
    ),
    asset("VERSIONS.txt", TEXT, include_bytes!("../../web/vendor/VERSIONS")),
    asset(
        "countries.geojson",
        GEOJSON,
        include_bytes!("../../geodata/basemap/countries.geojson"),
    ),
    asset(
        "coastline.geojson",
        GEOJSON,
        include_bytes!("../../geodata/basemap/coastline.geojson"),
    ),
];

const fn asset(name: &'static str, content_type: &'static str, bytes: &'static [u8]) -> Asset {
    Asset {
        name,
        content_type,
        bytes,
    }
}

/// The policy of the page: scripts, styles, workers, images and requests from this origin
/// only (MapLibre's worker may also start from a `blob:` URL; its canvas reads `data:` and
/// `blob:` images), nothing framed or framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; worker-src 'self' blob:; \
     child-src 'self' blob:; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
     font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// An asset ready to serve: its strong validator and its gzip body (made once, on first use).
struct Prepared {
    etag: String,
    gzip: Bytes,
}

fn prepared() -> &'static [Prepared] {
    static PREPARED: OnceLock<Vec<Prepared>> = OnceLock::new();
    PREPARED.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let etag = hex::encode(Sha256::digest(a.bytes))[..32].to_string();
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                let gzip = gz
                    .write_all(a.bytes)
                    .and_then(|()| gz.finish())
                    .map(Bytes::from)
                    .unwrap_or_default();
                Prepared { etag, gzip }
            })
            .collect()
    })
}

/// `GET /dashboard/{name}`: an embedded file, or a 404 that lists them.
pub fn asset_reply(name: &str, accept_encoding: Option<&str>) -> Reply {
    match ASSETS.iter().position(|a| a.name == name) {
        Some(i) => file_reply(i, accept_encoding),
        None => Problem::not_found(
            "unknown-asset",
            format!(
                "no dashboard file '{name}'; files: {}",
                ASSETS.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
            ),
        )
        .into_response(),
    }
}

/// `GET /` from a browser: the page, with its Content-Security-Policy.
pub fn page_reply(accept_encoding: Option<&str>) -> Reply {
    let i = ASSETS.iter().position(|a| a.name == PAGE).unwrap_or(0);
    let mut res = file_reply(i, accept_encoding);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `/` answers JSON to API clients: caches keep the two apart.
    h.append(header::VARY, HeaderValue::from_static("Accept"));
    res
}

fn file_reply(i: usize, accept_encoding: Option<&str>) -> Reply {
    let (a, p) = (&ASSETS[i], &prepared()[i]);
    let gzip = accept_encoding.is_some_and(super::routes::accepts_gzip) && !p.gzip.is_empty();
    let mut res: Reply = Response::new(if gzip {
        p.gzip.clone().into()
    } else {
        Bytes::from_static(a.bytes).into()
    });
    *res.status_mut() = StatusCode::OK;
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.content_type));
    // One strong validator per representation (the gzip bytes differ from the identity bytes).
    let etag = if gzip {
        format!("\"{}-gzip\"", p.etag)
    } else {
        format!("\"{}\"", p.etag)
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    // The files change only with the binary: revalidate (a 304 costs one round trip).
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_asset_is_served_with_a_strong_tag_and_gzip_when_accepted() {
        for a in ASSETS {
            let plain = asset_reply(a.name, None);
            assert_eq!(plain.status(), StatusCode::OK, "{}", a.name);
            let tag = plain.headers()[header::ETAG].to_str().unwrap().to_string();
            assert!(tag.starts_with('"') && !tag.starts_with("W/"), "{tag}");
            let gz = asset_reply(a.name, Some("gzip, br"));
            assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
            assert_ne!(gz.headers()[header::ETAG].to_str().unwrap(), tag);
        }
        assert_eq!(asset_reply("nothing.js", None).status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn the_page_has_its_security_policy() {
        let page = page_reply(None);
        assert!(
            page.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
    }
}
