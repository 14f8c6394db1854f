//! Server-side sessions (tower-sessions) stored in the `auth_sessions` table on SQLite or
//! PostgreSQL, and the middleware that turns a session into a [`Caller`].
//!
//! Only a SHA-256 of the session id is stored: a copy of the database does not let anyone take
//! over a session.

use crate::startup::ServerState;
use async_trait::async_trait;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use chrono::{DateTime, TimeZone, Utc};
use domain::{
    auth::Caller,
    cache::{Epoch, TtlCache},
    entities::auth_session,
    Db,
};
use sea_orm::{sea_query::OnConflict, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower_sessions::{
    cookie::SameSite,
    session::{Id, Record},
    session_store::{self, SessionStore},
    Expiry, Session, SessionManagerLayer,
};

pub const ACCOUNT_KEY: &str = "account_id";
pub const LOGIN_AT_KEY: &str = "login_at";
/// When the session was last renewed because of activity (unix seconds).
pub const SEEN_AT_KEY: &str = "seen_at";
pub const COOKIE_NAME: &str = "diklat_sesi";

/// Loaded sessions are kept in memory for a few seconds (see `domain::cache`): a reader's page
/// then costs no session query. Saves and deletes through the store update the cache; bulk
/// deletes elsewhere (password reset, disabled account) bump the shared epoch.
#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    cache: Arc<TtlCache<String, Record>>,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSessionStore").finish_non_exhaustive()
    }
}

impl DbSessionStore {
    pub fn new(db: Db, epoch: Epoch) -> Self {
        DbSessionStore { db, cache: Arc::new(TtlCache::new(domain::state::SIGN_IN_CACHE_TTL, 100_000, epoch)) }
    }

    /// Removes expired sessions; run now and then.
    pub async fn delete_expired(&self) -> Result<u64, sea_orm::DbErr> {
        let r = auth_session::Entity::delete_many()
            .filter(auth_session::Column::ExpiresAt.lt(Utc::now()))
            .exec(self.db.write())
            .await?;
        Ok(r.rows_affected)
    }
}

fn key(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    Utc.timestamp_opt(t.unix_timestamp(), 0).single().unwrap_or_else(Utc::now)
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random 128-bit id; on the (astronomically unlikely) collision, draw again.
        while auth_session::Entity::find_by_id(key(&record.id)).one(self.db.write()).await.map_err(backend)?.is_some() {
            record.id = Id::default();
        }
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let epoch = self.cache.epoch();
        self.cache.invalidate(&key(&record.id));
        let now = Utc::now();
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let account_id = record.data.get(ACCOUNT_KEY).and_then(|v| v.as_i64()).and_then(|v| i32::try_from(v).ok());
        let row = auth_session::ActiveModel {
            id: Set(key(&record.id)),
            account_id: Set(account_id),
            data: Set(data),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(to_chrono(record.expiry_date)),
        };
        auth_session::Entity::insert(row)
            .on_conflict(
                OnConflict::column(auth_session::Column::Id)
                    .update_columns([
                        auth_session::Column::AccountId,
                        auth_session::Column::Data,
                        auth_session::Column::LastSeenAt,
                        auth_session::Column::ExpiresAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(self.db.write())
            .await
            .map_err(backend)?;
        self.cache.insert_at(key(&record.id), record.clone(), epoch);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = key(id);
        if let Some(record) = self.cache.get(&key) {
            if record.expiry_date > time::OffsetDateTime::now_utc() {
                return Ok(Some(record));
            }
        }
        let epoch = self.cache.epoch();
        let Some(row) = auth_session::Entity::find_by_id(key.clone()).one(self.db.read()).await.map_err(backend)?
        else {
            return Ok(None);
        };
        if row.expires_at <= Utc::now() {
            return Ok(None);
        }
        let data = serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let record = Record { id: *id, data, expiry_date };
        self.cache.insert_at(key, record.clone(), epoch);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.cache.invalidate(&key(id));
        auth_session::Entity::delete_by_id(key(id)).exec(self.db.write()).await.map_err(backend)?;
        Ok(())
    }
}

/// Session cookie settings: HttpOnly, SameSite=Lax, Secure when served over https, and an idle
/// timeout renewed by activity.
pub fn layer(store: DbSessionStore, secure: bool, idle: time::Duration) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Puts the signed-in [`Caller`] into the request's extensions, where handlers, server
/// functions and pages find it. Ends sessions past the absolute limit or of disabled accounts.
pub async fn load_caller(
    State(state): State<ServerState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let mut signed_in = false;
    if let Ok(Some(account_id)) = session.get::<i32>(ACCOUNT_KEY).await {
        let login_at = session.get::<i64>(LOGIN_AT_KEY).await.ok().flatten().unwrap_or(0);
        let too_old = Utc::now().timestamp() - login_at > state.session_max_age.as_secs() as i64;
        let caller = if too_old { Ok(None) } else { state.app.caller(account_id).await };
        match caller {
            Ok(Some(caller)) => {
                renew_when_due(&session, state.session_idle).await;
                request.extensions_mut().insert::<Caller>(caller);
                signed_in = true;
            }
            Ok(None) => {
                let _ = session.flush().await;
            }
            Err(e) => tracing::error!("loading the caller of a session: {e}"),
        }
    }
    let mut response = next.run(request).await;
    // A page made for a signed-in person (names, NIKs, grades) is not kept by the browser's or a
    // shared cache, so it cannot be read back after sign-out on a shared phone or computer.
    let html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if signed_in && html && !response.headers().contains_key(axum::http::header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    response
}

/// tower-sessions only moves an idle expiry forward when the session is saved, and saves only
/// modified sessions. Activity therefore renews it explicitly — at most every few minutes, so
/// a signed-in reader costs one write per interval rather than one per page.
async fn renew_when_due(session: &Session, idle: std::time::Duration) {
    let now = Utc::now().timestamp();
    let interval = (idle.as_secs() / 4).clamp(1, 300) as i64;
    let seen = session.get::<i64>(SEEN_AT_KEY).await.ok().flatten().unwrap_or(0);
    if now - seen >= interval {
        let _ = session.insert(SEEN_AT_KEY, now).await;
    }
}
