use crate::AppState;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub database: DatabaseHealth,
    pub migration: Option<String>,
    pub modules: usize,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct DatabaseHealth {
    pub reachable: bool,
    pub backend: &'static str,
}

/// What `/healthz` reports.
pub async fn check(state: &AppState) -> Health {
    let reachable = state.db.ping().await;
    let migration = if reachable { state.db.migration_version().await } else { None };
    Health {
        status: if reachable { "ok" } else { "degraded" },
        database: DatabaseHealth { reachable, backend: state.db.backend().name() },
        migration,
        modules: state.content.modules.len(),
        version: env!("CARGO_PKG_VERSION"),
    }
}
