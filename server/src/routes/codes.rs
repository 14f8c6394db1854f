//! One-time sign-in codes: panitia issue them (one person or everyone not yet activated in the
//! current list); participants redeem one at `/aktivasi` to set their password.

use super::extract::{Manager, Reply};
use crate::{
    session::{ACCOUNT_KEY, LOGIN_AT_KEY},
    startup::ServerState,
};
use app::api::{Flash, IssuedCodeView, IssuedCodesView};
use axum::{
    extract::{ConnectInfo, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use domain::{auth::codes, services::people};
use serde::Deserialize;
use std::net::SocketAddr;
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/kode/buat", post(issue)).route("/auth/aktivasi", post(redeem))
}

#[derive(Deserialize)]
struct IssueForm {
    /// One person…
    orang: Option<i32>,
    /// …or everyone without a password in the list filtered by `q` and `kecamatan`.
    semua: Option<String>,
    q: Option<String>,
    kecamatan: Option<String>,
}

async fn issue(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(form): Form<IssueForm>,
) -> Response {
    let ids: Vec<i32> = match (form.orang, form.semua.is_some()) {
        (Some(id), _) => vec![id],
        (None, true) => {
            let query = people::PeopleQuery {
                q: form.q.filter(|q| !q.trim().is_empty()),
                district_id: form.kecamatan.and_then(|k| k.parse().ok()),
                village_id: None,
                page: 1,
                per_page: codes::MAX_BATCH as u64,
            };
            let listed = match people::list(state.app.db.read(), &scopes, &query).await {
                Ok(found) => found.rows.into_iter().filter(|r| !r.has_password && r.is_active).map(|r| r.id).collect(),
                Err(e) => {
                    tracing::error!("listing people for codes: {e:?}");
                    Vec::new()
                }
            };
            // Participants who also hold a role the caller may not touch are left out of a batch.
            let mut ids = Vec::new();
            for id in listed {
                if people::manageable(state.app.db.read(), &caller, id).await.is_ok() {
                    ids.push(id);
                }
            }
            ids
        }
        (None, false) => Vec::new(),
    };
    if ids.is_empty() {
        let none = Text::new("Tidak ada peserta yang perlu dibuatkan kode.", "No participant needs a code.");
        return reply.to("/peserta", Flash::error(none)).await;
    }
    match codes::issue(state.app.db.write(), &state.app.data_key, &caller, &ids, chrono::Utc::now()).await {
        Ok((issued, expires)) => {
            let view = IssuedCodesView {
                expires: expires
                    .with_timezone(&domain::services::clock::wib())
                    .format("%d-%m-%Y %H:%M WIB")
                    .to_string(),
                codes: issued
                    .into_iter()
                    .map(|c| IssuedCodeView {
                        link: format!("{}/aktivasi?kode={}", state.public_url, c.code),
                        contact: c.phone.or(c.email).unwrap_or_default(),
                        name: c.name,
                        village: c.village,
                        district: c.district,
                        code: c.code,
                        reset: c.reset,
                    })
                    .collect(),
            };
            // Sealed: the session is a database row, and a code read from it could be redeemed.
            let sealed = state.app.data_key.seal_json(IssuedCodesView::PURPOSE, &view);
            if let Err(e) = reply.session().insert(IssuedCodesView::KEY, sealed).await {
                tracing::error!("storing issued codes: {e}");
            }
            Redirect::to("/peserta/kode").into_response()
        }
        Err(e) => reply.failed(e, "/peserta").await,
    }
}

#[derive(Deserialize)]
struct RedeemForm {
    login: String,
    kode: String,
    sandi_baru: String,
    sandi_ulang: String,
}

async fn redeem(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    reply: Reply,
    Form(form): Form<RedeemForm>,
) -> Response {
    let back = format!("/aktivasi?kode={}", app::i18n::encode_component(form.kode.trim()));
    if form.sandi_baru != form.sandi_ulang {
        let differ =
            Text::new("Konfirmasi kata sandi baru tidak sama.", "The new password and its confirmation differ.");
        return reply.to(&back, Flash::error(differ).with_login(form.login.trim())).await;
    }
    let now = chrono::Utc::now();
    match codes::redeem(
        state.app.db.write(),
        &state.app.data_key,
        &state.app.hasher,
        codes::Redemption {
            login: &form.login,
            code: &form.kode,
            new_password: &form.sandi_baru,
            client: &super::client_address(&state, &headers, peer),
        },
        now,
    )
    .await
    {
        Ok(account_id) => {
            state.app.auth_changed();
            let session = reply.session();
            let started = async {
                session.cycle_id().await?;
                session.insert(ACCOUNT_KEY, account_id).await?;
                session.insert(LOGIN_AT_KEY, now.timestamp()).await?;
                session
                    .insert(
                        Flash::KEY,
                        Flash::ok(Text::new("Kata sandi tersimpan. Selamat datang!", "Password saved. Welcome!")),
                    )
                    .await
            };
            if let Err(e) = started.await {
                tracing::error!("starting a session after activation: {e}");
                return Redirect::to("/masuk").into_response();
            }
            Redirect::to("/akun").into_response()
        }
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!("redeeming a code: {e:?}");
            }
            reply.to(&back, Flash::error(e.public_text()).with_login(form.login.trim())).await
        }
    }
}
