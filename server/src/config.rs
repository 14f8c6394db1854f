//! Typed configuration from flags and environment; every default works on a laptop.

use clap::Args;
use std::{net::SocketAddr, path::PathBuf};

/// Settings of `diklat serve`.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Database: sqlite://path/file.db (default: diklat.db in the data folder) or postgres://user@host/db.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Address to listen on.
    #[arg(long, env = "DIKLAT_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Folder with the Diklat modules (Markdown).
    #[arg(long, env = "DIKLAT_CONTENT_DIR", default_value = "./content")]
    pub content_dir: PathBuf,

    /// Folder for the SQLite database and the data key; created if missing.
    #[arg(long, env = "DIKLAT_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Folder with the built site (wasm, js, css) produced by cargo-leptos.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Maximum database connections (reads; SQLite always writes through one connection).
    #[arg(long, env = "DIKLAT_DB_CONNECTIONS", default_value_t = 16)]
    pub db_connections: u32,

    /// The address people use to reach the server; `https://…` makes cookies Secure.
    #[arg(long, env = "DIKLAT_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: String,

    /// A session ends after this many seconds without activity (default 12 hours).
    #[arg(long, env = "DIKLAT_SESSION_IDLE_SECS", default_value_t = 12 * 3600)]
    pub session_idle_secs: u64,

    /// A session ends this many seconds after sign-in, active or not (default 7 days).
    #[arg(long, env = "DIKLAT_SESSION_MAX_SECS", default_value_t = 7 * 24 * 3600)]
    pub session_max_secs: u64,

    /// Behind a reverse proxy: take the client address (for the per-address sign-in limit) from
    /// the last entry of `X-Forwarded-For`, the one the proxy appended; earlier entries come from
    /// the client and are ignored. Only set this when a proxy always sets the header.
    #[arg(long, env = "DIKLAT_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Requests per minute one client address may make to `GET /api/v1/certificates/{code}`.
    #[arg(long, env = "DIKLAT_VERIFY_RATE_PER_MINUTE", default_value_t = 60)]
    pub verify_rate_per_minute: u32,

    /// The lowest minimum attendance (%) a diklat's completion rule may set: a rule below it is
    /// refused with the reason, so no certificate rests on a diklat hardly attended. Set by the
    /// deployment's admin.
    #[arg(long, env = "DIKLAT_MIN_ATTENDANCE_FLOOR", default_value_t = 50,
          value_parser = clap::value_parser!(i32).range(0..=100))]
    pub min_attendance_floor: i32,

    /// The fewest submitted evaluation forms a report shows figures and open answers for: below
    /// it, a group's answers could point to the few people who gave them.
    #[arg(long, env = "DIKLAT_EVALUATION_MIN_GROUP", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub evaluation_min_group: u32,

    /// Seconds a client may take to send a request's headers; one that trickles them (Slowloris)
    /// is disconnected instead of holding a connection open.
    #[arg(long, env = "DIKLAT_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Who issues and signs the printed certificates.
    #[command(flatten)]
    pub signer: crate::certificates::Signer,

    /// Seed the demo data (only into an empty database) and print the demo sign-ins.
    #[arg(long, env = "DIKLAT_DEMO")]
    pub demo: bool,
}

impl Config {
    /// The database URL, defaulting to a SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_string(),
            _ => format!("sqlite://{}", self.data_dir.join("diklat.db").display()),
        }
    }

    /// Defaults for a test: an ephemeral port and the given folders.
    pub fn for_test(data_dir: PathBuf, content_dir: PathBuf, database_url: Option<String>) -> Config {
        Config {
            database_url,
            listen: "127.0.0.1:0".parse().expect("valid address"),
            content_dir,
            data_dir,
            site_root: PathBuf::from("target/site"),
            db_connections: 4,
            public_url: "http://127.0.0.1".to_string(),
            session_idle_secs: 12 * 3600,
            session_max_secs: 7 * 24 * 3600,
            trust_forwarded_for: false,
            verify_rate_per_minute: 60,
            min_attendance_floor: 50,
            evaluation_min_group: 5,
            header_timeout_secs: 10,
            signer: crate::certificates::Signer::default(),
            demo: false,
        }
    }
}
