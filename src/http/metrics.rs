//! Prometheus metrics: requests by route and status, a latency histogram by route, and what is
//! loaded. Every counter is an atomic: no lock on the query path.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::table::ROUTES;

/// Number of route labels: every route, then `other`.
const N_ROUTES: usize = ROUTES.len() + 1;

/// The label of route index `i` (from [`route_of`]).
pub fn route_label(i: usize) -> &'static str {
    ROUTES.get(i).map_or("other", |r| r.path)
}

/// The statuses counted one by one; any other is counted under its class (`2xx`...).
const STATUSES: [u16; 16] = [
    200, 204, 304, 400, 401, 403, 404, 405, 406, 408, 411, 413, 415, 500, 503, 0,
];

fn status_slot(status: u16) -> usize {
    STATUSES.iter().position(|s| *s == status).unwrap_or(STATUSES.len() - 1)
}

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// The label of a request path: its index in the route table.
pub fn route_of(path: &str) -> usize {
    super::table::find(path).unwrap_or(ROUTES.len())
}

/// A gauge and its samples (`{label="value"}` text, value).
#[derive(Debug)]
pub struct Gauge {
    /// Metric name.
    pub name: &'static str,
    /// Help text.
    pub help: &'static str,
    /// Samples.
    pub samples: Vec<(String, f64)>,
}

/// Counters of the server.
#[derive(Debug)]
pub struct Metrics {
    by_status: [[AtomicU64; STATUSES.len()]; N_ROUTES],
    /// Statuses outside [`STATUSES`], by route and class (1xx..5xx).
    other_status: [[AtomicU64; 6]; N_ROUTES],
    /// Per route: bucket counts, then the sum of seconds (as nanoseconds) and the count.
    buckets: [[AtomicU64; BUCKETS.len()]; N_ROUTES],
    sum_ns: [AtomicU64; N_ROUTES],
    count: [AtomicU64; N_ROUTES],
    /// Snapshots ingested over HTTP.
    pub ingested: AtomicU64,
    /// Ingests refused (authentication, validation, conflict).
    pub ingest_refused: AtomicU64,
}

/// All counters at zero (by hand: `Default` is derived for arrays of at most 32 elements, and
/// there are more routes).
impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            by_status: std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0))),
            other_status: std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0))),
            buckets: std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0))),
            sum_ns: std::array::from_fn(|_| AtomicU64::new(0)),
            count: std::array::from_fn(|_| AtomicU64::new(0)),
            ingested: AtomicU64::new(0),
            ingest_refused: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Records one answered request.
    pub fn record(&self, route: usize, status: u16, latency: Duration) {
        let slot = status_slot(status);
        if slot == STATUSES.len() - 1 {
            self.other_status[route][usize::from(status / 100).min(5)].fetch_add(1, Ordering::Relaxed);
        } else {
            self.by_status[route][slot].fetch_add(1, Ordering::Relaxed);
        }
        let s = latency.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                self.buckets[route][i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.sum_ns[route].fetch_add(latency.as_nanos() as u64, Ordering::Relaxed);
        self.count[route].fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text, with the loaded-state gauges given by the caller.
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let mut out = String::new();
        out.push_str("# HELP frontline_http_requests_total Requests answered, by route and status.\n");
        out.push_str("# TYPE frontline_http_requests_total counter\n");
        for (r, name) in (0..N_ROUTES).map(|r| (r, route_label(r))) {
            for (i, status) in STATUSES.iter().enumerate().take(STATUSES.len() - 1) {
                let n = self.by_status[r][i].load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "frontline_http_requests_total{{route=\"{name}\",status=\"{status}\"}} {n}"
                    );
                }
            }
            for class in 1..6 {
                let n = self.other_status[r][class].load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "frontline_http_requests_total{{route=\"{name}\",status=\"{class}xx\"}} {n}"
                    );
                }
            }
        }
        out.push_str("# HELP frontline_http_request_duration_seconds Time to the answer's headers, by route.\n");
        out.push_str("# TYPE frontline_http_request_duration_seconds histogram\n");
        for (r, name) in (0..N_ROUTES).map(|r| (r, route_label(r))) {
            let count = self.count[r].load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            for (i, b) in BUCKETS.iter().enumerate() {
                let n = self.buckets[r][i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "frontline_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"{b}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "frontline_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"+Inf\"}} {count}"
            );
            let sum = self.sum_ns[r].load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(
                out,
                "frontline_http_request_duration_seconds_sum{{route=\"{name}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "frontline_http_request_duration_seconds_count{{route=\"{name}\"}} {count}"
            );
        }
        for g in gauges {
            let _ = writeln!(out, "# HELP {} {}\n# TYPE {} gauge", g.name, g.help, g.name);
            for (labels, value) in &g.samples {
                let _ = writeln!(out, "{}{labels} {value}", g.name);
            }
        }
        out
    }
}
