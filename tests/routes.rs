//! The warp routes in process, with warp's test helpers (`warp::test`): no socket, no spawned
//! binary. Beside `tests/http.rs`, which drives the real server over TCP, these check what the
//! handlers answer and that every error is a problem+json with its status decided in
//! `http/problem.rs`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::http::{App, Config, routes};
use std::sync::Arc;

fn app() -> Arc<App> {
    let catalog = frontline::Catalog::load_embedded().expect("embedded geodata");
    catalog.compute_all();
    App::new(Arc::new(catalog), Config::default())
}

async fn get(app: &Arc<App>, path: &str) -> (u16, serde_json::Value) {
    let res = warp::test::request()
        .method("GET")
        .path(path)
        .reply(&routes(app.clone()))
        .await;
    let v = serde_json::from_slice(res.body()).unwrap_or(serde_json::Value::Null);
    (res.status().as_u16(), v)
}

#[tokio::test]
async fn coverage_answers_simferopol_occupied_in_process() {
    let app = app();
    let (status, v) = get(&app, "/v1/coverage?lon=34.10&lat=44.95&date=2024-05-01").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "occupied");
    assert_eq!(v["snapshot"]["id"], "example:2024-03-01");
    assert_eq!(v["synthetic"], true);
}

#[tokio::test]
async fn bad_coordinates_are_400_problems_naming_the_parameter() {
    let app = app();
    for (q, param, detail) in [
        ("lon=abc&lat=44", "lon", "lon 'abc' is not a number"),
        (
            "lon=1e400&lat=44",
            "lon",
            "lon '1e400' must be a finite number in [-180, 180]",
        ),
        (
            "lon=30&lat=-91",
            "lat",
            "lat '-91' must be a finite number in [-90, 90]",
        ),
    ] {
        let (status, v) = get(&app, &format!("/v1/coverage?{q}&date=2024-05-01")).await;
        assert_eq!(status, 400, "{q}: {v}");
        assert_eq!(v["type"], "/problems/invalid-parameter", "{q}: {v}");
        assert_eq!(v["parameter"], param, "{q}: {v}");
        assert_eq!(v["detail"], detail, "{q}: {v}");
    }
}

#[tokio::test]
async fn engine_errors_map_to_their_statuses() {
    let app = app();
    let (status, v) = get(&app, "/v1/coverage?lon=30&lat=48&date=1990-01-01").await;
    assert_eq!(
        (status, v["type"].as_str()),
        (404, Some("/problems/before-first-snapshot")),
        "{v}"
    );
    let (status, v) = get(&app, "/v1/coverage?lon=30&lat=48&date=2024-05-01&source=nope").await;
    assert_eq!(
        (status, v["type"].as_str()),
        (404, Some("/problems/unknown-source")),
        "{v}"
    );
    let (status, v) = get(&app, "/v1/layers/nothing?date=2024-05-01").await;
    assert_eq!(
        (status, v["type"].as_str()),
        (404, Some("/problems/unknown-layer")),
        "{v}"
    );
}

#[tokio::test]
async fn history_and_timeline_answer_in_process() {
    let app = app();
    let (status, v) = get(&app, "/v1/history?lon=34.10&lat=44.95").await;
    assert_eq!(status, 200, "{v}");
    assert!(v["intervals"].as_array().is_some_and(|i| !i.is_empty()), "{v}");
    let (status, v) = get(&app, "/v1/timeline").await;
    assert_eq!(status, 200, "{v}");
}

/// `/readyz` before the states are computed: a 503 problem like every other 5xx (an error id,
/// `application/problem+json`, `Retry-After`), still carrying what is loaded; 200 once computed.
#[tokio::test]
async fn readyz_while_loading_is_a_503_problem_with_an_id() {
    let catalog = frontline::Catalog::load_embedded().expect("embedded geodata");
    let app = App::new(Arc::new(catalog), Config::default());
    let res = warp::test::request()
        .method("GET")
        .path("/readyz")
        .reply(&routes(app.clone()))
        .await;
    let v: serde_json::Value = serde_json::from_slice(res.body()).unwrap();
    assert_eq!(res.status().as_u16(), 503, "{v}");
    assert_eq!(res.headers()["content-type"], "application/problem+json", "{v}");
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(v["type"], "/problems/not-ready", "{v}");
    assert_eq!(v["status"], 503, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("(error id "), "no error id: {v}");
    assert_eq!(v["readiness"]["status"], "loading", "{v}");
    assert!(v["readiness"]["snapshots"].as_u64().unwrap() > 0, "{v}");
    app.catalog().compute_all();
    let (status, v) = get(&app, "/readyz").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "ready", "{v}");
}
