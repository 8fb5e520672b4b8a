//! The route table: every path the server answers, with its methods. The dispatcher routes by
//! it before any handler runs, so it is the live set of routes: a path that is not here is a
//! 404, a method that is not here is a 405 with `Allow`, `OPTIONS` lists the methods (204),
//! `HEAD` is answered on every `GET` route (GET's headers, no body), and the metrics label
//! requests by it. `/` serves it (to a client that does not ask for `text/html`; a browser gets
//! the dashboard), and a test compares it and the answers with `/openapi.json`.

use warp::http::Method;

/// How the answers of a route are validated for conditional requests (RFC 9110 §13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// None: the answer changes with every request (health, readiness, metrics) or is a POST.
    None,
    /// The answer depends only on the live geodata, the request target, the `Accept` header
    /// and the UTC day: the dispatcher gives it a weak ETag and `Last-Modified` (the time the
    /// live geodata went live) and answers conditional requests before the handler runs.
    LiveState,
    /// The handler sets a strong ETag per representation (layers); the dispatcher adds
    /// `Last-Modified` and evaluates the conditions on the answer.
    Handler,
}

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// The path as `/openapi.json` writes it (`{layer}`: one path segment).
    pub path: &'static str,
    /// The methods with a handler (HEAD and OPTIONS are added by the dispatcher).
    pub methods: &'static [Method],
    /// Conditional requests.
    pub validation: Validation,
    /// The methods that need the bearer token (checked by the dispatcher, [`super::auth`]);
    /// every other method of the route is public and never reads `Authorization`.
    pub token: &'static [Method],
}

impl Route {
    /// Whether `method` is answered on this route (HEAD wherever GET is; OPTIONS everywhere).
    pub fn allows(&self, method: &Method) -> bool {
        *method == Method::OPTIONS
            || self.methods.contains(method)
            || (*method == Method::HEAD && self.methods.contains(&Method::GET))
    }

    /// Whether `method` on this route needs the bearer token.
    pub fn checks_token(&self, method: &Method) -> bool {
        self.token.contains(method)
    }

    /// The `Allow` header value: the methods, HEAD after GET, then OPTIONS.
    pub fn allow(&self) -> String {
        let mut out: Vec<&str> = Vec::new();
        for m in self.methods {
            out.push(m.as_str());
            if *m == Method::GET {
                out.push("HEAD");
            }
        }
        out.push("OPTIONS");
        out.join(", ")
    }
}

const GET: &[Method] = &[Method::GET];
const GET_POST: &[Method] = &[Method::GET, Method::POST];
const POST: &[Method] = &[Method::POST];
const PUT: &[Method] = &[Method::PUT];
const GET_PUT: &[Method] = &[Method::GET, Method::PUT];

/// Every route, in the order of the metrics labels.
pub const ROUTES: [Route; 32] = [
    route("/v1/coverage", GET, Validation::LiveState),
    route("/v1/history", GET_POST, Validation::LiveState),
    route("/v1/diff", GET, Validation::LiveState),
    route("/v1/classify", POST, Validation::None),
    route("/v1/sources", GET, Validation::LiveState),
    with_token(route("/v1/sources/{name}", GET_PUT, Validation::LiveState), PUT),
    with_token(route("/v1/snapshots", GET_POST, Validation::LiveState), POST),
    route("/v1/snapshots/{id}", GET, Validation::LiveState),
    route("/v1/layers/{layer}", GET, Validation::Handler),
    route("/v1/timeline", GET, Validation::LiveState),
    route("/v1/agreement", GET, Validation::LiveState),
    route("/v1/agreement/timeline", GET, Validation::LiveState),
    with_token(route("/v1/scenarios", GET_POST, Validation::None), POST),
    route("/v1/scenarios/preview", POST, Validation::None),
    route("/v1/scenarios/presets", GET, Validation::LiveState),
    route("/v1/scenarios/{id}", GET, Validation::LiveState),
    route("/v1/scenarios/{id}/layers/{layer}", GET, Validation::LiveState),
    route("/v1/scenarios/{id}/point", GET, Validation::LiveState),
    route("/v1/scenarios/{id}/diff/{other}", GET, Validation::LiveState),
    route("/v1/tiles/{source}/{date}.json", GET, Validation::Handler),
    route("/v1/tiles/{source}/diff/{from}/{to}.json", GET, Validation::Handler),
    route("/v1/tiles/{source}/{epoch}/{z}/{x}/{y}.mvt", GET, Validation::Handler),
    route(
        "/v1/tiles/{source}/diff/{from_epoch}/{to_epoch}/{z}/{x}/{y}.mvt",
        GET,
        Validation::Handler,
    ),
    route("/openapi.json", GET, Validation::LiveState),
    route("/healthz", GET, Validation::None),
    route("/readyz", GET, Validation::None),
    route("/metrics", GET, Validation::None),
    route("/", GET, Validation::LiveState),
    route("/v1/border", GET, Validation::LiveState),
    route("/dashboard/{asset}", GET, Validation::Handler),
    route("/v1/scenarios/{id}/tiles.json", GET, Validation::Handler),
    route(
        "/v1/scenarios/{id}/tiles/{epoch}/{z}/{x}/{y}.mvt",
        GET,
        Validation::Handler,
    ),
];

const fn route(path: &'static str, methods: &'static [Method], validation: Validation) -> Route {
    Route {
        path,
        methods,
        validation,
        token: &[],
    }
}

/// `r`, whose `token` methods need the bearer token.
const fn with_token(mut r: Route, token: &'static [Method]) -> Route {
    r.token = token;
    r
}

/// Whether a request (its method and path, a trailing `/` ignored) needs the bearer token by the
/// route table; `false` for a path or method that is not in it.
pub fn checks_token(method: &str, path: &str) -> bool {
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return false;
    };
    find(path).is_some_and(|i| ROUTES[i].checks_token(&method))
}

/// The `Allow` value of `OPTIONS *`: every method the server answers somewhere.
pub const ALLOW_ANY: &str = "GET, HEAD, POST, PUT, OPTIONS";

/// The index in [`ROUTES`] of a request path (a trailing `/` ignored), if it is a route.
pub fn find(path: &str) -> Option<usize> {
    let p = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    ROUTES.iter().position(|r| matches(r.path, p))
}

/// Whether a concrete path matches a pattern whose `{name}` parts each stand for one segment.
fn matches(pattern: &str, path: &str) -> bool {
    let (mut a, mut b) = (pattern.split('/'), path.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                // `{name}` is one non-empty segment; `{name}.ext` one that ends in `.ext`.
                let ok = match x.strip_prefix('{').and_then(|v| v.split_once('}')) {
                    Some((_, suffix)) => y.len() > suffix.len() && y.ends_with(suffix),
                    None => x == y,
                };
                if !ok {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_their_routes_and_nothing_else() {
        let label = |p: &str| find(p).map(|i| ROUTES[i].path);
        assert_eq!(label("/"), Some("/"));
        assert_eq!(label("/v1/coverage"), Some("/v1/coverage"));
        assert_eq!(label("/v1/coverage/"), Some("/v1/coverage"));
        assert_eq!(label("/v1/layers/occupied"), Some("/v1/layers/{layer}"));
        assert_eq!(label("/v1/layers/"), None);
        assert_eq!(label("/v1/layers/a/b"), None);
        assert_eq!(label("/v1/nothing"), None);
        assert_eq!(label("*"), None);
        assert_eq!(label("/v1/scenarios/preview"), Some("/v1/scenarios/preview"));
        assert_eq!(label("/v1/scenarios/ab12"), Some("/v1/scenarios/{id}"));
        assert_eq!(
            label("/v1/scenarios/ab12/layers/zones"),
            Some("/v1/scenarios/{id}/layers/{layer}")
        );
        assert_eq!(label(""), None);
        assert_eq!(
            label("/v1/tiles/ds/2025-06-01.json"),
            Some("/v1/tiles/{source}/{date}.json")
        );
        assert_eq!(
            label("/v1/tiles/ds/diff/2025-06-01/2025-07-01.json"),
            Some("/v1/tiles/{source}/diff/{from}/{to}.json")
        );
        assert_eq!(
            label("/v1/tiles/ds/ab12/8/150/88.mvt"),
            Some("/v1/tiles/{source}/{epoch}/{z}/{x}/{y}.mvt")
        );
        assert_eq!(
            label("/v1/tiles/ds/diff/ab/cd/8/150/88.mvt"),
            Some("/v1/tiles/{source}/diff/{from_epoch}/{to_epoch}/{z}/{x}/{y}.mvt")
        );
        assert_eq!(label("/v1/tiles/ds/ab12/8/150/88.png"), None);
        assert_eq!(label("/v1/tiles/ds/ab12/8/150/.mvt"), None);
        assert_eq!(label("/v1/tiles/ds/2025-06-01"), None);
    }

    #[test]
    fn allow_lists_head_after_get_and_options_last() {
        let r = |p: &str| ROUTES[find(p).unwrap_or(0)];
        assert_eq!(r("/v1/coverage").allow(), "GET, HEAD, OPTIONS");
        assert_eq!(r("/v1/classify").allow(), "POST, OPTIONS");
        assert_eq!(r("/v1/history").allow(), "GET, HEAD, POST, OPTIONS");
        assert!(r("/v1/classify").allows(&Method::OPTIONS));
        assert!(!r("/v1/classify").allows(&Method::HEAD));
        assert!(r("/v1/coverage").allows(&Method::HEAD));
        assert!(!r("/v1/coverage").allows(&Method::DELETE));
    }

    #[test]
    fn token_methods_are_methods_of_their_route() {
        let mut with_token = Vec::new();
        for r in &ROUTES {
            for m in r.token {
                assert!(r.methods.contains(m), "{} {m}", r.path);
                with_token.push(format!("{m} {}", r.path));
            }
        }
        assert_eq!(
            with_token,
            ["PUT /v1/sources/{name}", "POST /v1/snapshots", "POST /v1/scenarios"]
        );
        assert!(checks_token("PUT", "/v1/sources/monitor"));
        assert!(checks_token("POST", "/v1/snapshots/"));
        assert!(!checks_token("GET", "/v1/snapshots"));
        assert!(!checks_token("POST", "/v1/scenarios/preview"));
        assert!(!checks_token("PUT", "/v1/sources"));
        assert!(!checks_token("BREW", "/v1/snapshots"));
    }
}
