//! `frontline serve`: the HTTP API on the loaded geodata.

use super::Exit;
use super::{DataArg, Failure};
use frontline::http::{App, Config, serve};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most permits a count of concurrent requests takes (tokio's semaphores hold at most
/// `usize::MAX >> 3`; a bound a person would give is far below): larger values are refused by
/// the argument parser instead of panicking when the server starts.
const MAX_PERMITS: u64 = 4096;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Address to listen on, HOST:PORT (an IP address or a name such as localhost; port 0: any
    /// free port; the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Largest request body accepted, in MiB.
    #[arg(long, default_value_t = 256)]
    max_body_mb: u64,
    /// Largest GeoJSON request body accepted, in MiB (read as a stream of features).
    #[arg(long, default_value_t = 64)]
    max_json_body_mb: u64,
    /// Largest ingest body (POST /v1/snapshots) accepted, in MiB (read as a stream of features,
    /// each validated as it comes).
    #[arg(long, default_value_t = 16)]
    max_ingest_body_mb: u64,
    /// Largest scenario document (POST /v1/scenarios and /v1/scenarios/preview) accepted, in MiB.
    #[arg(long, default_value_t = 4)]
    max_scenario_body_mb: u64,
    /// Scenarios computed at once (POST /v1/scenarios/preview needs no token; 16 zones of 500 km
    /// cost seconds of CPU): a further one is answered 503 with Retry-After. Default: the
    /// number of CPU cores. At most 4096 (a semaphore's permits).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_PERMITS))]
    max_scenario_computations: Option<usize>,
    /// Most vertices in a scenario's negotiated exclusions together (POST /v1/scenarios/preview
    /// and POST /v1/scenarios): more is refused at once with a 413 `scenario-too-large` naming
    /// the limit and the figure. 1 to 10,000,000.
    #[arg(long, default_value_t = frontline::scenario::DEFAULT_MAX_EXCLUSION_VERTICES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000_000))]
    max_scenario_exclusion_vertices: usize,
    /// Seconds one scenario sent in a request may be computed (POST /v1/scenarios/preview and
    /// POST /v1/scenarios): then it is given up, answered 503 `scenario-computation-deadline`
    /// with Retry-After, and its place freed. 1 to 3600.
    #[arg(long, default_value_t = frontline::scenario::DEFAULT_DEADLINE_S, value_parser = clap::value_parser!(u64).range(1..=3600))]
    scenario_deadline_s: u64,
    /// Large request bodies (over 1 MiB, or of unknown length) read at once; further ones wait
    /// their turn (every route that reads a body but CSV classification, which is streamed).
    /// 1 to 4096.
    #[arg(long, default_value_t = 2, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_PERMITS))]
    max_large_bodies: usize,
    /// Seconds a large body waits for a place (--max-large-bodies) before a 503 with
    /// Retry-After.
    #[arg(long, default_value_t = 300)]
    large_body_wait_s: u64,
    /// Seconds a request body may go without sending a byte, on every route that reads one; also
    /// the grace before --body-min-rate applies. A body too slow is a 408 (its place freed).
    #[arg(long, default_value_t = 30)]
    body_timeout_s: u64,
    /// Bytes per second a request body must average after the first --body-timeout-s seconds of
    /// waiting for it (0: no minimum).
    #[arg(long, default_value_t = 8192)]
    body_min_rate: u64,
    /// Most points accepted in one classification request.
    #[arg(long, default_value_t = 10_000_000)]
    max_points: u64,
    /// Vector tiles kept in memory, in MiB (least recently used evicted beyond it).
    #[arg(long, default_value_t = 128)]
    tile_cache_mb: usize,
    /// The public base URL clients reach this server at, http(s)://HOST[:PORT][/PREFIX] (or set
    /// FRONTLINE_PUBLIC_URL): absolute links in answers (the TileJSON `tiles` templates) start
    /// with it. Without it they start with the address the client's connection reached; the
    /// request's Host header is never used (a client can set it to anything). Set it behind a
    /// reverse proxy.
    #[arg(long)]
    public_url: Option<String>,
    /// Origin allowed by CORS (repeatable; `*` for any). None: no CORS headers.
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// Seconds allowed to send a request's headers (slow clients are disconnected), 1 to 3600.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout_s: u64,
    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT, 0 to 86400.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    shutdown_grace_s: u64,
    /// A file holding the bearer token that allows POST /v1/snapshots (or set
    /// FRONTLINE_INGEST_TOKEN). Without either, ingest is off.
    #[arg(long)]
    ingest_token_file: Option<std::path::PathBuf>,
    /// Sync: base URL of an HTTP archive to fetch new daily files from (with --sync-source,
    /// --sync-format and --sync-every).
    #[arg(long, requires_all = ["sync_source", "sync_every"])]
    sync_url: Option<String>,
    /// Sync: the archive's layout, deepstate (the default) or nzz. Only with --sync-url.
    #[arg(long, requires = "sync_url")]
    sync_format: Option<String>,
    /// Sync: the source to import into (it must have a snapshot already). Only with --sync-url.
    #[arg(long, requires = "sync_url")]
    sync_source: Option<String>,
    /// Sync: how often, e.g. 6h, 30m, 90s. Only with --sync-url (a schedule without an archive
    /// to fetch from is refused, never ignored).
    #[arg(long, requires = "sync_url")]
    sync_every: Option<String>,
    /// Seconds between checks of the geodata directory for changes (reloaded on change); 0: off.
    /// SIGHUP reloads at any time.
    #[arg(long, default_value_t = 2)]
    watch_s: u64,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    // Every argument is checked before the geodata is loaded (seconds on a large archive), so
    // that a bad one is refused at once.
    let embedded = a.data.data.is_none();
    if embedded && (a.ingest_token_file.is_some() || std::env::var_os("FRONTLINE_INGEST_TOKEN").is_some()) {
        return Err(Failure::input(
            "ingest writes into a geodata directory, and the embedded geodata is read-only: give --data DIR (`frontline init DIR` writes a starting one)",
        ));
    }
    if embedded && a.sync_url.is_some() {
        return Err(Failure::input(
            "sync writes into a geodata directory, and the embedded geodata is read-only: give --data DIR (`frontline init DIR` writes a starting one)",
        ));
    }
    let ingest_token = match &a.ingest_token_file {
        Some(p) => {
            let t = std::fs::read_to_string(p)
                .map_err(|e| Failure::input(format!("--ingest-token-file {}: {e}", p.display())))?;
            Some(t.trim().to_string())
        }
        None => std::env::var("FRONTLINE_INGEST_TOKEN")
            .ok()
            .map(|t| t.trim().to_string()),
    };
    if ingest_token.as_deref().is_some_and(|t| t.len() < 16) {
        return Err(Failure::input("the ingest token must be at least 16 characters"));
    }
    let public_url = match a
        .public_url
        .clone()
        .or_else(|| std::env::var("FRONTLINE_PUBLIC_URL").ok())
    {
        Some(u) => Some(frontline::http::public_base_url(&u).map_err(|e| Failure::input(format!("--public-url {e}")))?),
        None => None,
    };
    let config = Config {
        ingest_token,
        max_body_bytes: a.max_body_mb.saturating_mul(1 << 20),
        max_json_body_bytes: a.max_json_body_mb.saturating_mul(1 << 20),
        max_ingest_body_bytes: a.max_ingest_body_mb.saturating_mul(1 << 20),
        max_scenario_body_bytes: a.max_scenario_body_mb.saturating_mul(1 << 20),
        max_scenario_computations: a
            .max_scenario_computations
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .max(1),
        max_scenario_exclusion_vertices: a.max_scenario_exclusion_vertices,
        scenario_deadline: Duration::from_secs(a.scenario_deadline_s),
        max_points: a.max_points,
        cors_origins: a.cors_origins,
        header_read_timeout: Duration::from_secs(a.header_timeout_s.max(1)),
        shutdown_grace: Duration::from_secs(a.shutdown_grace_s),
        date_window: a.data.window.config()?,
        max_large_bodies: a.max_large_bodies.max(1),
        large_body_wait: Duration::from_secs(a.large_body_wait_s.max(1)),
        body_idle_timeout: Duration::from_secs(a.body_timeout_s.max(1)),
        body_min_rate: a.body_min_rate,
        tile_cache_bytes: a.tile_cache_mb.saturating_mul(1 << 20),
        public_url,
    };
    let sync = match (&a.sync_url, &a.sync_source, &a.sync_every) {
        (Some(url), Some(source), Some(every)) => {
            super::sync::check_base_url("--sync-url", url)?;
            let every =
                frontline::live::parse_interval(every).map_err(|e| Failure::input(format!("--sync-every {e}")))?;
            let args = super::sync::Args {
                format: a.sync_format.clone().unwrap_or_else(|| "deepstate".into()),
                base_url: url.clone(),
                source: source.clone(),
                from: None,
                lookback_days: 7,
                until: None,
                retries: 3,
                timeout_s: 30,
                data: a.data.clone(),
            };
            super::sync::options(&args)?;
            // A scheduled sync continues a source (it has no --from): the source must exist.
            let dir = a
                .data
                .data
                .as_deref()
                .and_then(|d| frontline::store::Store::new(d).source_dir(source).ok());
            if !dir.as_deref().is_some_and(std::path::Path::is_dir) {
                return Err(Failure::input(format!(
                    "--sync-source '{source}': no such source in the geodata directory; a scheduled sync continues a source: create it first with `frontline sync ... --source {source} --from YYYY-MM-DD`"
                )));
            }
            Some((args, every))
        }
        _ => None,
    };
    // The socket is bound before the geodata is loaded: an address that does not read, or a
    // port in use, is said at once (exit 2), not after seconds of loading.
    let listener = listen(&a.listen)?;
    let t = Instant::now();
    let catalog = a.data.catalog()?;
    catalog.compute_all();
    tracing::info!(ms = t.elapsed().as_millis() as u64, "all layers and indexes computed");
    let app = App::new(Arc::new(catalog), config);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let addr = listener.local_addr()?;
        #[cfg(unix)]
        tokio::spawn(frontline::http::reload_on_sighup(app.clone()));
        // The embedded geodata has no directory to watch.
        if a.watch_s > 0 && !embedded {
            // Its first listing is taken here, before we say we listen.
            tokio::spawn(frontline::http::watch_geodata(
                app.clone(),
                Duration::from_secs(a.watch_s),
            ));
        }
        {
            // Said for whoever started the server; a closed standard output (nobody reads it)
            // does not stop a server that is listening.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{addr}").and_then(|()| out.flush());
        }
        tracing::info!(%addr, "listening");
        if let Some((args, every)) = sync {
            let reload_app = app.clone();
            tokio::spawn(frontline::live::sync_every(
                every,
                move || {
                    let mut opts = super::sync::options(&args).ok()?;
                    opts.until = super::sync::today();
                    Some(opts)
                },
                move || {
                    let app = reload_app.clone();
                    async move {
                        let _ = app.reload("sync").await;
                    }
                },
            ));
        }
        serve(listener, app, shutdown_signal()).await;
        Ok(Exit::Ok)
    })
}

/// Binds `HOST:PORT`: an address, or a name (`localhost:8080`) resolved to its addresses, the
/// first that binds taken. A standard listener, non-blocking, for the runtime to take over
/// (`tokio::net::TcpListener::from_std`): bound before the runtime and the geodata exist.
fn listen(spec: &str) -> Result<std::net::TcpListener, Failure> {
    let addrs: Vec<SocketAddr> = match spec.parse::<SocketAddr>() {
        Ok(a) => vec![a],
        Err(_) => {
            if spec
                .rsplit_once(':')
                .is_none_or(|(h, p)| h.is_empty() || p.parse::<u16>().is_err())
            {
                return Err(Failure::input(format!(
                    "--listen '{spec}' is not HOST:PORT (e.g. 127.0.0.1:8080, localhost:8080, [::1]:8080)"
                )));
            }
            std::net::ToSocketAddrs::to_socket_addrs(spec)
                .map_err(|e| Failure::input(format!("--listen '{spec}': cannot resolve the host: {e}")))?
                .collect()
        }
    };
    let mut last = None;
    for addr in &addrs {
        match std::net::TcpListener::bind(addr) {
            Ok(l) => {
                l.set_nonblocking(true)
                    .map_err(|e| Failure::input(format!("cannot listen on {spec}: {e}")))?;
                return Ok(l);
            }
            Err(e) => last = Some(format!("{addr}: {e}")),
        }
    }
    Err(Failure::input(format!(
        "--listen: cannot listen on {spec}: {}",
        last.unwrap_or_else(|| "the name resolves to no address".into())
    )))
}

/// Resolves on SIGTERM or SIGINT (also what stops a `frontline sync`).
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received");
}
