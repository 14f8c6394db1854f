//! Building the application: check settings, open the database, migrate, load content, seed
//! the demo when asked, bind. Tests call [`Application::build`] with port 0.

use crate::{config::Config, routes};
use axum::{extract::FromRef, serve::ListenerExt, Router};
use domain::{
    content::{Content, ContentErrors},
    db::{redact, ConnectError},
    demo,
    secret::DataKey,
    AppState, Db,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use migrations::{Migrator, MigratorTrait};
use std::{net::SocketAddr, path::PathBuf};
use tokio::net::TcpListener;

/// Why the server did not start, as a sentence that names the setting to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("DIKLAT_DATA_DIR: folder `{path}` cannot be used: {reason}")]
    DataDir { path: PathBuf, reason: String },
    #[error(transparent)]
    Database(#[from] ConnectError),
    #[error("DATABASE_URL: the migrations failed: {0}")]
    Migration(String),
    #[error("DIKLAT_CONTENT_DIR: the content in `{dir}` is invalid:\n{errors}")]
    Content { dir: PathBuf, errors: ContentErrors },
    #[error("DIKLAT_LISTEN: cannot listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error("--demo: the demo data could not be seeded: {0}")]
    Demo(String),
}

/// The state axum handlers see: the domain state plus Leptos' options.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub leptos_options: LeptosOptions,
    /// Sessions older than this (since sign-in) are ended whatever their activity.
    pub session_max_age: std::time::Duration,
    /// Sessions without activity for this long end.
    pub session_idle: std::time::Duration,
    /// Where people reach the server, for links printed on paper (e.g. activation links).
    pub public_url: String,
    /// Whether `X-Forwarded-For` names the client (set by a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Who signs printed certificates.
    pub signer: std::sync::Arc<crate::certificates::Signer>,
    /// Typesets certificate PDFs. Made at the first PDF, not at start: loading the fonts and
    /// Typst's library costs memory and time a server that renders no PDF never needs.
    pub pdf: std::sync::Arc<std::sync::LazyLock<domain::pdf::Renderer>>,
    /// Verification pages as sent to visitors who are not signed in (see
    /// `routes::certificates::cached_verification_page`).
    pub verify_pages: std::sync::Arc<routes::VerifyPageCache>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> LeptosOptions {
        s.leptos_options.clone()
    }
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    state: AppState,
    config: Config,
    demo: Option<demo::Outcome>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        prepare_data_dir(&config.data_dir)?;
        let data_key = DataKey::load_or_create(&config.data_dir)
            .map_err(|reason| StartupError::DataDir { path: config.data_dir.clone(), reason })?;
        let certificate_key = domain::signing::CertificateKey::load_or_create(&config.data_dir)
            .map_err(|e| StartupError::DataDir { path: config.data_dir.clone(), reason: e.to_string() })?;
        let content = Content::load(&config.content_dir)
            .map_err(|errors| StartupError::Content { dir: config.content_dir.clone(), errors })?;

        let db = Db::connect(&config.database_url(), config.db_connections).await?;
        Migrator::up(db.write(), None).await.map_err(|e| StartupError::Migration(e.to_string()))?;
        let module_ids = domain::services::modules::sync(db.write(), &content)
            .await
            .map_err(|e| StartupError::Migration(format!("recording the modules: {e}")))?;
        let banks = domain::services::quizzes::sync(db.write(), &content, &module_ids)
            .await
            .map_err(|e| StartupError::Migration(format!("recording the question banks: {e}")))?;
        let demo = if config.demo {
            Some(demo::seed(db.write()).await.map_err(|e| StartupError::Demo(e.to_string()))?)
        } else {
            None
        };

        let mut state = AppState::new(db, content, module_ids, banks, data_key);
        state.certificate_key = std::sync::Arc::new(certificate_key);
        state.verify_rate_per_minute = config.verify_rate_per_minute;
        state.attendance_floor = config.min_attendance_floor;
        state.evaluation_min_group = config.evaluation_min_group as usize;
        if matches!(demo, Some(demo::Outcome::Seeded { .. })) {
            let fail = |e: domain::AppError| StartupError::Demo(format!("test results and certificates: {e}"));
            let modules = state.quiz_modules();
            domain::demo::seed_results(state.db.write(), &modules).await.map_err(fail)?;
            domain::demo::seed_evaluations(state.db.write(), &state.content.forms).await.map_err(fail)?;
            let october =
                domain::services::schedule::by_code(state.db.read(), domain::demo::DIKLAT_CODE).await.map_err(fail)?;
            domain::services::certificates::issue_eligible(
                state.db.read(),
                state.db.write(),
                &state.certificate_key,
                &october,
                &modules,
                None,
                None,
            )
            .await
            .map_err(fail)?;
        }
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| StartupError::Listen { addr: config.listen, reason: e.to_string() })?;
        let addr =
            listener.local_addr().map_err(|e| StartupError::Listen { addr: config.listen, reason: e.to_string() })?;
        let router = router(state.clone(), &config, addr);
        spawn_session_cleanup(state.db.clone(), state.auth_epoch.clone());
        spawn_certificate_issue(state.clone());
        spawn_standings_refresh(state.clone());
        Ok(Application { listener, router, addr, state, config, demo })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What a person starting the server needs to know: where it is and how to sign in.
    pub fn print_banner(&self) {
        println!();
        println!("  Diklat KKMP {} siap / ready", env!("CARGO_PKG_VERSION"));
        println!("  Buka / open:    http://{}", self.addr);
        println!("  Basis data:     {} ({})", redact(&self.config.database_url()), self.state.db.backend().name());
        println!("  Modul dimuat:   {}", self.state.content.modules.len());
        match &self.demo {
            Some(demo::Outcome::Seeded { participants }) => {
                println!("  Data demo:      dimuat ({participants} peserta, diklat {})", demo::DIKLAT_CODE)
            }
            Some(demo::Outcome::SkippedNotEmpty) => {
                println!("  Data demo:      tidak dimuat ulang — basis data sudah berisi data")
            }
            None => {}
        }
        if self.demo.is_some() {
            println!("  Akun demo / demo sign-ins:");
            for l in demo::LOGINS {
                println!("    {:<8} {:<32} sandi: {}", l.role, l.login, l.password);
            }
        }
        println!();
    }

    /// Serves until SIGTERM or Ctrl-C, then stops accepting, lets the requests in flight finish
    /// and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let header_timeout = std::time::Duration::from_secs(self.config.header_timeout_secs);
        serve(self.listener, self.router, header_timeout, shutdown_signal()).await
    }
}

/// axum's `serve`, plus what it cannot be told: a limit on the time a client takes to send a
/// request's headers (hyper needs a timer for it, which `axum::serve` does not give it).
async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: std::time::Duration,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::{
        rt::{TokioIo, TokioTimer},
        server::graceful::GracefulShutdown,
        service::TowerToHyperService,
    };
    use tower::ServiceExt;
    // HTTP/1.1, as axum's `serve` speaks by default (HTTP/2 is the reverse proxy's business).
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: wait, rather than spin or stop serving.
                Err(e) => {
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Nagle's algorithm delays the last small chunk of a streamed page by ~40 ms on
        // keep-alive connections; pages are written in small chunks, so turn it off.
        let _ = tcp.set_nodelay(true);
        let service = router.clone().map_request(move |mut request: axum::extract::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(remote));
            request
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection from {remote}: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A bare axum handler on a listener set up like the application's (for benchmarks).
pub async fn serve_baseline(listen: SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    println!("bench baseline on http://{listen}/");
    // Any path: a benchmark can send the same requests it sends the application.
    let router = Router::new().fallback(|| async { "hello" });
    axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await
}

fn prepare_data_dir(dir: &std::path::Path) -> Result<(), StartupError> {
    let fail = |reason: String| StartupError::DataDir { path: dir.to_path_buf(), reason };
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create it ({e})")))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(|e| fail(format!("cannot write to it ({e})")))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// The application's routes, generated once per process.
///
/// Leptos lists the routes by running the app with resource loading switched off, and the switch
/// is process-wide (leptos_server 0.8's `IS_SUPPRESSING_RESOURCE_LOAD`, set while
/// `RouteList::generate` runs): a resource that another server in the same process polls for
/// the first time during that window takes the "suppressed" branch for good and never resolves,
/// so its page waits until the handler timeout (leptos-rs/leptos#4773). That was the 60-second
/// wait `cargo test` met now and then (all tests in one process, servers starting beside servers
/// rendering pages); a production process builds one application, before it serves. Generated
/// once, no later start can suppress a render that is under way. Test: `pages_render_while_another_server_starts`.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::LazyLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::LazyLock::new(|| generate_route_list(app::App));
    ROUTES.clone()
}

fn router(state: AppState, config: &Config, addr: SocketAddr) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("diklat")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let routes = route_list();
    let server_state = ServerState {
        app: state.clone(),
        leptos_options: leptos_options.clone(),
        session_max_age: std::time::Duration::from_secs(config.session_max_secs),
        session_idle: std::time::Duration::from_secs(config.session_idle_secs),
        public_url: config.public_url.trim_end_matches('/').to_string(),
        trust_forwarded_for: config.trust_forwarded_for,
        signer: std::sync::Arc::new(config.signer.clone()),
        pdf: std::sync::Arc::new(std::sync::LazyLock::new(domain::pdf::Renderer::new)),
        verify_pages: std::sync::Arc::new(domain::cache::TtlCache::new(
            routes::VERIFY_PAGE_TTL,
            10_000,
            state.certificate_epoch.clone(),
        )),
    };
    let sessions = crate::session::layer(
        crate::session::DbSessionStore::new(state.db.clone(), state.auth_epoch.clone()),
        config.public_url.starts_with("https://"),
        time::Duration::seconds(i64::try_from(config.session_idle_secs).unwrap_or(i64::MAX)),
    );
    let page_state = state.clone();
    let public_url = server_state.public_url.clone();
    let fallback_state = state;
    // The site's files are served here, never by Leptos' fallback: that one answers a file inside
    // a reactive owner that, under concurrent requests, could take the status and headers of
    // another request's page (a script answered 404 beside a missing page, a page without its
    // nonce policy beside a script download).
    let pkg = tower_http::services::ServeDir::new(config.site_root.join("pkg")).precompressed_br().precompressed_gzip();
    let favicon = tower_http::services::ServeFile::new(config.site_root.join("favicon.svg"));
    let router = Router::new()
        .nest_service("/pkg", pkg)
        .route_service("/favicon.svg", favicon)
        .merge(routes::api())
        .leptos_routes_with_context(
            &server_state,
            routes,
            move || {
                leptos::nonce::provide_nonce();
                provide_context(page_state.clone());
                provide_context(app::schedule_api::PublicUrl(public_url.clone()));
            },
            {
                let options = leptos_options.clone();
                move || app::shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(
            move || {
                leptos::nonce::provide_nonce();
                provide_context(fallback_state.clone())
            },
            app::shell,
        ))
        .layer(axum::middleware::from_fn(routes::bad_server_fn_arguments))
        // Inside `load_caller`, so it sees who the caller is.
        .layer(axum::middleware::from_fn_with_state(server_state.clone(), routes::note_client))
        .layer(axum::middleware::from_fn_with_state(server_state.clone(), crate::session::load_caller))
        .layer(sessions)
        .layer(axum::middleware::from_fn(routes::same_origin_posts))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(routes::panic_page))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            routes::HANDLER_TIMEOUT,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(routes::MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn(routes::explain_rejections))
        // Quality 4 (gzip -4, brotli 4): pages stay small for phones on weak connections, and a
        // 45 KB module page costs a fraction of the default level's time (see BENCHMARKS.md).
        .layer(tower_http::compression::CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
        // Outside compression: a cached verification page is kept as compressed bytes.
        .layer(axum::middleware::from_fn_with_state(server_state.clone(), routes::cached_verification_page))
        .with_state(server_state);
    // Outermost, so every response gets them (cached pages, files, errors too).
    SECURITY_HEADERS.iter().fold(router, |router, (name, value)| {
        router.layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            name.clone(),
            axum::http::HeaderValue::from_str(value).expect("a header value"),
        ))
    })
}

/// Headers every response carries: no framing by other sites (clickjacking), no MIME sniffing,
/// no full URLs (which can carry verification codes and calendar tokens) sent to other sites,
/// and a policy that keeps `<base>`, plugins and form targets to this site and runs no script.
/// A page rendered by Leptos sets its own policy first, allowing its nonce's scripts
/// (`app::content_security_policy`); this one is for everything else.
pub static SECURITY_HEADERS: std::sync::LazyLock<[(axum::http::HeaderName, String); 4]> =
    std::sync::LazyLock::new(|| {
        [
            (axum::http::header::CONTENT_SECURITY_POLICY, app::content_security_policy(None)),
            (axum::http::header::X_FRAME_OPTIONS, "DENY".into()),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (axum::http::header::REFERRER_POLICY, "same-origin".into()),
        ]
    });

/// Bytes the database takes: the SQLite file with its WAL, or PostgreSQL's database size.
pub async fn database_size(state: &AppState, config: &Config) -> u64 {
    use sea_orm::ConnectionTrait;
    let db = state.db.read();
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let sql = "SELECT pg_database_size(current_database()) AS n";
        let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await;
        return row.ok().flatten().and_then(|r| r.try_get::<i64>("", "n").ok()).unwrap_or(0) as u64;
    }
    state.db.write().execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.ok();
    let url = config.database_url();
    let path = url.trim_start_matches("sqlite://").split('?').next().unwrap_or_default().to_string();
    ["", "-wal", "-shm"].iter().filter_map(|ext| std::fs::metadata(format!("{path}{ext}")).ok()).map(|m| m.len()).sum()
}

/// Deletes expired sessions and limit counts that no longer matter, hourly.
fn spawn_session_cleanup(db: Db, epoch: domain::cache::Epoch) {
    let store = crate::session::DbSessionStore::new(db.clone(), epoch);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!("deleting expired sessions: {e}");
            }
            if let Err(e) = domain::auth::throttle::purge(db.write(), chrono::Utc::now()).await {
                tracing::warn!("deleting old limit counts: {e:?}");
            }
        }
    });
}

/// How often, at most, the country's report figures are read ahead after standings changed.
const NATIONAL_READ_AHEAD: std::time::Duration = std::time::Duration::from_secs(60);

/// Keeps the reports' standings summary current: every few seconds, the diklat something
/// changed in are recomputed (a burst of check-ins costs one refresh, not one per check-in).
fn spawn_standings_refresh(state: AppState) {
    tokio::spawn(async move {
        // The country's figures are the slowest to compute: read them once before anyone asks.
        let national = || async {
            let today = domain::services::schedule::today_wib(chrono::Utc::now());
            let area = domain::services::report::Area::National;
            if let Err(e) = domain::services::report::figures(&state, area, &Default::default(), today).await {
                tracing::warn!("computing the national report figures: {e}");
            }
        };
        national().await;
        let mut national_read = std::time::Instant::now();
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            let modules = state.quiz_modules();
            match domain::services::report::refresh_stale(state.db.read(), state.db.write(), &modules, None).await {
                Ok(0) => {}
                Ok(_) => {
                    state.reports_changed();
                    // Read ahead at most once a minute: at national size a read costs seconds of
                    // a core, and somewhere in the country something changes every few seconds.
                    // In between, a request is answered from the older figures while they are
                    // reread (report::figures).
                    if national_read.elapsed() >= NATIONAL_READ_AHEAD {
                        national().await;
                        national_read = std::time::Instant::now();
                    }
                }
                Err(e) => tracing::warn!("refreshing the report standings: {e}"),
            }
        }
    });
}

/// The automatic issue: once a minute, everyone who now meets a diklat's completion rule (the
/// last attendance mark, a late post-test) gets the certificate without anyone opening a page.
fn spawn_certificate_issue(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            let modules = state.quiz_modules();
            let now = chrono::Utc::now();
            match domain::services::certificates::issue_all_due(
                state.db.read(),
                state.db.write(),
                &state.certificate_key,
                &modules,
                now,
            )
            .await
            {
                Ok(0) => {}
                Ok(n) => {
                    state.reports_changed();
                    tracing::info!("{n} certificates issued automatically")
                }
                Err(e) => tracing::warn!("automatic certificate issue: {e}"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
