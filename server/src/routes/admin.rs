//! Admin: granting and revoking staff roles (form posts, PRG).

use super::extract::{Admin, Reply};
use crate::startup::ServerState;
use app::api::Flash;
use axum::{extract::State, response::Response, routing::post, Form, Router};
use domain::{auth::Role, services::roles};
use serde::Deserialize;
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/admin/peran", post(grant)).route("/admin/peran/cabut", post(revoke))
}

const BACK: &str = "/admin/peran";

#[derive(Deserialize)]
struct GrantForm {
    login: String,
    nama: Option<String>,
    peran: String,
    wilayah: String,
}

async fn grant(
    State(state): State<ServerState>,
    Admin(caller): Admin,
    reply: Reply,
    Form(form): Form<GrantForm>,
) -> Response {
    let role = match Role::from_code(&form.peran) {
        Some(r) => r,
        None => return reply.to(BACK, Flash::error(Text::new("Pilih peran", "Choose a role"))).await,
    };
    let scope = match roles::parse_scope(&form.wilayah) {
        Ok(s) => s,
        Err(e) => return reply.to(BACK, Flash::error(e.public_text())).await,
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
            reply
                .to(
                    BACK,
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
            reply.to(BACK, Flash::ok(Text::new("Peran diberikan.", "Role granted."))).await
        }
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!("granting a role: {e:?}");
            }
            reply.to(BACK, Flash::error(e.public_text())).await
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
    Admin(caller): Admin,
    reply: Reply,
    Form(form): Form<RevokeForm>,
) -> Response {
    if form.yakin.is_none() {
        return reply
            .to(
                BACK,
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
            reply.to(BACK, Flash::ok(Text::new("Peran dicabut.", "Role revoked."))).await
        }
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!("revoking a role: {e:?}");
            }
            reply.to(BACK, Flash::error(e.public_text())).await
        }
    }
}
