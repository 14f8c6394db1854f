//! Admin: granting and revoking staff roles (form posts, PRG).

use crate::startup::ServerState;
use app::api::Flash;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Extension, Form, Router,
};
use domain::{
    auth::{Caller, Role},
    services::roles,
};
use serde::Deserialize;
use tower_sessions::Session;
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/admin/peran", post(grant)).route("/admin/peran/cabut", post(revoke))
}

const BACK: &str = "/admin/peran";

fn admin(caller: Option<Extension<Caller>>) -> Result<Caller, super::Denied> {
    super::require(caller, &[Role::Admin], BACK, "Hanya admin yang mengatur peran")
}

async fn done(session: &Session, flash: Flash) -> Response {
    let _ = session.insert(Flash::KEY, flash).await;
    Redirect::to(BACK).into_response()
}

#[derive(Deserialize)]
struct GrantForm {
    login: String,
    nama: Option<String>,
    peran: String,
    wilayah: String,
}

async fn grant(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(form): Form<GrantForm>,
) -> Response {
    let caller = match admin(caller) {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
    let role = match Role::from_code(&form.peran) {
        Some(r) => r,
        None => return done(&session, Flash::error(Text::new("Pilih peran", "Choose a role"))).await,
    };
    let scope = match roles::parse_scope(&form.wilayah) {
        Ok(s) => s,
        Err(e) => return done(&session, Flash::error(e.public_text())).await,
    };
    match roles::grant(
        state.app.db.write(),
        &state.app.data_key,
        &caller,
        &form.login,
        form.nama.as_deref().unwrap_or(""),
        role,
        scope,
    )
    .await
    {
        Ok(Some(code)) => {
            state.app.auth_changed();
            done(
                &session,
                Flash::ok(Text::new(
                    format!(
                        "Peran diberikan. Kode masuk sekali pakai untuk {}: {code} (berlaku 7 hari, buka /aktivasi).",
                        form.login.trim()
                    ),
                    format!(
                        "Role granted. One-time sign-in code for {}: {code} (valid for 7 days, open /aktivasi).",
                        form.login.trim()
                    ),
                )),
            )
            .await
        }
        Ok(None) => {
            state.app.auth_changed();
            done(&session, Flash::ok(Text::new("Peran diberikan.", "Role granted."))).await
        }
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!("granting a role: {e:?}");
            }
            done(&session, Flash::error(e.public_text())).await
        }
    }
}

#[derive(Deserialize)]
struct RevokeForm {
    id: i32,
    yakin: Option<String>,
}

async fn revoke(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(form): Form<RevokeForm>,
) -> Response {
    let caller = match admin(caller) {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
    if form.yakin.is_none() {
        return done(
            &session,
            Flash::error(Text::new(
                "Centang konfirmasi untuk mencabut peran.",
                "Tick the confirmation to revoke the role.",
            )),
        )
        .await;
    }
    match roles::revoke(state.app.db.write(), &caller, form.id).await {
        Ok(()) => {
            state.app.auth_changed();
            done(&session, Flash::ok(Text::new("Peran dicabut.", "Role revoked."))).await
        }
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!("revoking a role: {e:?}");
            }
            done(&session, Flash::error(e.public_text())).await
        }
    }
}
