//! Sign-in, sign-out and password change as plain form posts (they work without JavaScript),
//! following post/redirect/get: errors travel back as a one-time flash message in the session.

use super::extract::{Reply, SignedIn, Visitor};
use crate::{
    session::{ACCOUNT_KEY, LOGIN_AT_KEY},
    startup::ServerState,
};
use app::{
    api::Flash,
    i18n::{encode_component, is_local_path},
};
use axum::{
    extract::{ConnectInfo, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use domain::services::audit;
use serde::Deserialize;
use std::net::SocketAddr;
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/auth/masuk", post(sign_in))
        .route("/auth/keluar", post(sign_out))
        .route("/auth/sandi", post(change_password))
}

#[derive(Deserialize)]
struct SignInForm {
    login: String,
    sandi: String,
    ke: Option<String>,
}

async fn sign_in(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    reply: Reply,
    Form(form): Form<SignInForm>,
) -> Response {
    let target = form.ke.filter(|k| is_local_path(k) && !k.starts_with("/masuk")).unwrap_or_else(|| "/akun".into());
    let back = format!("/masuk?ke={}", encode_component(&target));
    let now = chrono::Utc::now();
    let client = super::client_address(&state, &headers, peer);
    let result =
        domain::auth::authenticate(state.app.db.write(), &state.app.hasher, &form.login, &form.sandi, &client, now)
            .await;
    match result {
        Ok(Ok(account_id)) => {
            // A new session id at sign-in: an id planted before sign-in is worthless after it.
            let session = reply.session();
            let stored = async {
                session.cycle_id().await?;
                session.insert(ACCOUNT_KEY, account_id).await?;
                session.insert(LOGIN_AT_KEY, now.timestamp()).await
            };
            if let Err(e) = stored.await {
                tracing::error!("starting a session: {e}");
                return reply.to(&back, Flash::error(domain::AppError::Internal(String::new()).public_text())).await;
            }
            Redirect::to(&target).into_response()
        }
        Ok(Err(refused)) => {
            // For whoever watches for guessing: which account (masked), from where, and why.
            tracing::warn!(
                target: "diklat::security",
                login = %domain::auth::masked_login(&form.login),
                client = %client,
                reason = ?refused,
                "sign-in refused"
            );
            reply.to(&back, Flash::error(refused.text()).with_login(form.login.trim())).await
        }
        Err(e) => {
            tracing::error!("sign-in failed: {e:?}");
            reply.to(&back, Flash::error(e.public_text()).with_login(form.login.trim())).await
        }
    }
}

/// Ends the session on the server (the row is deleted), not only in the browser.
async fn sign_out(State(state): State<ServerState>, Visitor(caller): Visitor, reply: Reply) -> Response {
    if let Some(caller) = caller {
        let _ = audit::record(
            state.app.db.write(),
            Some(caller.account_id),
            "auth.logout",
            "account",
            Some(caller.account_id.to_string()),
            None,
        )
        .await;
    }
    // flush, not delete: it also empties the in-memory session, so nothing saves it back afterwards.
    if let Err(e) = reply.session().flush().await {
        tracing::error!("ending a session: {e}");
    }
    Redirect::to("/").into_response()
}

#[derive(Deserialize)]
struct PasswordForm {
    sandi_lama: String,
    sandi_baru: String,
    sandi_ulang: String,
    /// The "sign out on other devices" box (checked by default; absent when unticked).
    #[serde(default)]
    keluar_lain: Option<String>,
}

async fn change_password(
    State(state): State<ServerState>,
    SignedIn(caller): SignedIn,
    reply: Reply,
    Form(form): Form<PasswordForm>,
) -> Response {
    if form.sandi_baru != form.sandi_ulang {
        let differ =
            Text::new("Konfirmasi kata sandi baru tidak sama.", "The new password and its confirmation differ.");
        return reply.to("/akun#sandi", Flash::error(differ)).await;
    }
    match domain::auth::change_password(
        state.app.db.write(),
        &state.app.hasher,
        caller.account_id,
        &form.sandi_lama,
        &form.sandi_baru,
        form.keluar_lain.is_some(),
        chrono::Utc::now(),
    )
    .await
    {
        Ok(()) => {
            // Also forgets the sessions of other devices that were only in memory.
            state.app.auth_changed();
            let _ = reply.session().cycle_id().await;
            let done = if form.keluar_lain.is_some() {
                Text::new(
                    "Kata sandi berhasil diubah. Akun ini sudah dikeluarkan dari perangkat lain.",
                    "Password changed. This account has been signed out on other devices.",
                )
            } else {
                Text::new("Kata sandi berhasil diubah.", "Password changed.")
            };
            reply.to("/akun", Flash::ok(done)).await
        }
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!("changing a password: {e:?}");
            }
            reply.to("/akun#sandi", Flash::error(e.public_text())).await
        }
    }
}
