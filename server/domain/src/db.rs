//! Connecting to SQLite (the embedded default) or PostgreSQL (the scale path).
//!
//! SQLite allows one writer at a time. Rather than let concurrent requests race for the write
//! lock (and fail with "database is locked" when a read transaction tries to upgrade), all
//! writes go through a pool of exactly one connection, while reads use a pool of read-only
//! connections that WAL lets run beside the writer. On PostgreSQL both are the same pool.

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc, Mutex,
};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
    backend: Backend,
    recorder: Arc<Recorder>,
}

/// Why a connection could not be made, in a sentence that names `DATABASE_URL`.
#[derive(Debug, thiserror::Error)]
#[error("DATABASE_URL: {0}")]
pub struct ConnectError(pub String);

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The statements this database's connections run, while recording (see [`Db::record_statements`]).
/// One per [`Db`], never process-wide: tests running side by side in one process (plain
/// `cargo test`) each have their own database and must see only their own statements.
#[derive(Debug, Default)]
struct Recorder {
    on: AtomicBool,
    statements: Mutex<Vec<Statement>>,
}

fn with_recorder(mut conn: DatabaseConnection, recorder: &Arc<Recorder>) -> DatabaseConnection {
    let recorder = recorder.clone();
    conn.set_metric_callback(move |info| {
        if recorder.on.load(Ordering::Relaxed) {
            recorder.statements.lock().expect("recorder lock").push(info.statement.clone());
        }
    });
    conn
}

/// Every pool is made without sqlx's idle sweep: no idle timeout and no lifetime, so sqlx
/// spawns no sweep task at all (its defaults, 10 and 30 minutes, start one with each pool).
///
/// The cause of the hang that tests met now and then ("every thread parked, no query running"),
/// and that a server would meet under load: in sqlx-core 0.9.0 (`pool/inner.rs`) `release`
/// hands the connection's permit on *before* it raises `num_idle`, and `pop_idle` lowers
/// `num_idle` right after taking the connection; a task woken by that permit on another thread
/// lowers the count first, and the unsigned count wraps to `usize::MAX` until `release` catches
/// up. The sweep runs `for _ in 0..pool.num_idle()` with no await in the loop when no
/// connection is free: started on a wrapped count, it spins ~2^64 times and holds its runtime
/// thread for good — with the tasks queued on that thread (a request, a timeout that would have
/// ended it). Reproduced by `cargo run -p domain --example idle_count`: with a sweep, a core
/// stays busy after the load has stopped (2.00 s of CPU in 2 idle seconds, every run); without,
/// none. Connections are checked before use (sqlx's `test_before_acquire`), so one the database
/// closed is replaced; nothing else needs the sweep.
fn without_sweep(options: &mut ConnectOptions) -> &mut ConnectOptions {
    options.idle_timeout(None).max_lifetime(None)
}

impl Db {
    /// Opens the database at `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url, max_connections).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(url, max_connections).await
        } else {
            Err(ConnectError(format!(
                "`{}` is not supported; use sqlite://path/to/file.db or postgres://user@host/db",
                redact(url)
            )))
        }
    }

    async fn connect_sqlite(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
        let mut write = ConnectOptions::new(url.to_string());
        // A bounded wait: should anything ever hold the writer and wait on it, requests fail
        // with an error instead of hanging.
        without_sweep(&mut write)
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(20))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(BUSY_TIMEOUT)
            });
        let write = Database::connect(write)
            .await
            .map_err(|e| ConnectError(format!("cannot open SQLite database `{}`: {e}", redact(url))))?;
        let mut read = ConnectOptions::new(url.to_string());
        without_sweep(&mut read)
            .max_connections(max_connections.max(1))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| o.read_only(true).foreign_keys(true).busy_timeout(BUSY_TIMEOUT));
        let read = Database::connect(read)
            .await
            .map_err(|e| ConnectError(format!("cannot open SQLite database `{}` for reading: {e}", redact(url))))?;
        let recorder = Arc::new(Recorder::default());
        Ok(Db {
            read: with_recorder(read, &recorder),
            write: with_recorder(write, &recorder),
            backend: Backend::Sqlite,
            recorder,
        })
    }

    async fn connect_postgres(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
        let mut options = ConnectOptions::new(url.to_string());
        without_sweep(&mut options)
            .max_connections(max_connections.max(2))
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        let conn = Database::connect(options)
            .await
            .map_err(|e| ConnectError(format!("cannot connect to PostgreSQL at `{}`: {e}", redact(url))))?;
        let recorder = Arc::new(Recorder::default());
        let conn = with_recorder(conn, &recorder);
        Ok(Db { read: conn.clone(), write: conn, backend: Backend::Postgres, recorder })
    }

    /// For queries. On SQLite these connections are read-only.
    pub fn read(&self) -> &DatabaseConnection {
        &self.read
    }

    /// For anything that writes, including a transaction that reads then writes.
    pub fn write(&self) -> &DatabaseConnection {
        &self.write
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// From now on, keeps every statement this database's connections run (with its values), so
    /// a test can check their query plans; [`Db::recorded_statements`] hands them over and stops.
    pub fn record_statements(&self) {
        self.recorder.statements.lock().expect("recorder lock").clear();
        self.recorder.on.store(true, Ordering::SeqCst);
    }

    /// The statements run since [`Db::record_statements`], in order; recording stops.
    pub fn recorded_statements(&self) -> Vec<Statement> {
        self.recorder.on.store(false, Ordering::SeqCst);
        std::mem::take(&mut *self.recorder.statements.lock().expect("recorder lock"))
    }

    /// True when a trivial query answers.
    pub async fn ping(&self) -> bool {
        let stmt = Statement::from_string(self.read.get_database_backend(), "SELECT 1");
        self.read.query_one_raw(stmt).await.is_ok()
    }

    /// The newest applied migration, read from sea-orm's bookkeeping table.
    pub async fn migration_version(&self) -> Option<String> {
        let stmt = Statement::from_string(
            self.read.get_database_backend(),
            "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
        );
        let row = self.read.query_one_raw(stmt).await.ok()??;
        row.try_get::<String>("", "version").ok()
    }

    pub async fn close(self) {
        let _ = self.read.close().await;
        if self.backend == Backend::Sqlite {
            let _ = self.write.close().await;
        }
    }
}

impl From<Backend> for DbBackend {
    fn from(b: Backend) -> DbBackend {
        match b {
            Backend::Sqlite => DbBackend::Sqlite,
            Backend::Postgres => DbBackend::Postgres,
        }
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_in_a_database_url_is_never_repeated_in_messages() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
