//! What every form post and download starts with, taken by extractors before the handler runs:
//! who is asking and whether their role may ([`SignedIn`], [`Manager`],
//! [`ContentManager`], [`ReportReader`], [`Admin`]), and where the
//! outcome goes ([`Reply`]: a one-shot message and a redirect). A refused request never reaches
//! the handler: nobody signed in is sent to sign in and back; a wrong role gets 403.

use super::Text;
use app::api::Flash;
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, Method, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use domain::{
    auth::{Caller, Role, Scope},
    AppError,
};
use tower_sessions::Session;

/// Why a request was refused before the handler ran.
pub enum Denied {
    /// Nobody is signed in: sign in, then come back here.
    SignIn(String),
    Forbidden(Text),
    /// An island asked for data ([`Wants::Data`]): the refusal's status and sentence, as JSON.
    Data(StatusCode, Text),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::SignIn(back) => {
                Redirect::to(&format!("/masuk?ke={}", app::i18n::encode_component(&back))).into_response()
            }
            Denied::Forbidden(message) => domain::error::refusal(StatusCode::FORBIDDEN, &message, false),
            Denied::Data(status, message) => domain::error::refusal(status, &message, true),
        }
    }
}

/// Where sign-in returns to: the page the form was posted from (a same-site `Referer`), the
/// address itself for a GET, else the home page.
fn come_back_to(parts: &Parts) -> String {
    let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let referer = parts.headers.get(header::REFERER).and_then(|r| r.to_str().ok());
    if let (Some(host), Some(referer)) = (host, referer) {
        if let Some(rest) = referer.split_once("://").map(|(_, rest)| rest) {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            if authority.eq_ignore_ascii_case(host) && path.starts_with('/') && !path.starts_with("//") {
                return path.to_string();
            }
        }
    }
    if parts.method == Method::GET {
        parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string()
    } else {
        "/".to_string()
    }
}

/// The caller the session layer found, when `roles` (any of them; empty: any account) allow.
/// An island that asked for data gets the refusal as data: 401 or 403 with the sentence.
fn caller_with(parts: &Parts, roles: &[Role], refused: Text) -> Result<Caller, Denied> {
    let as_data = Wants::of(parts) == Wants::Data;
    match parts.extensions.get::<Caller>() {
        Some(c) if roles.is_empty() || c.require_any(roles).is_ok() => Ok(c.clone()),
        None if as_data => Err(Denied::Data(StatusCode::UNAUTHORIZED, AppError::Unauthorized.public_text())),
        None => Err(Denied::SignIn(come_back_to(parts))),
        Some(_) if as_data => Err(Denied::Data(StatusCode::FORBIDDEN, refused)),
        Some(_) => Err(Denied::Forbidden(refused)),
    }
}

/// How the caller wants a form post to end: as the browser's next page (a redirect with a
/// one-shot message), or as data for an island that posted the same form in the background
/// (`Accept: application/json`): the outcome as JSON, a refusal as its status and a JSON
/// [`Text`]. One handler serves both, so an action has one entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wants {
    Page,
    Data,
}

impl Wants {
    fn of(parts: &Parts) -> Wants {
        let accept = parts.headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()).unwrap_or("");
        if accept.starts_with("application/json") {
            Wants::Data
        } else {
            Wants::Page
        }
    }

    /// A refusal in the shape asked for: the error's page, or its status and sentence as data.
    pub fn refuse(self, e: AppError) -> Response {
        match self {
            Wants::Data => e.into_data_response(),
            Wants::Page => e.into_response(),
        }
    }

    /// A use case's outcome as data: the value as JSON, or the error's status and sentence.
    pub fn data<T: serde::Serialize>(result: Result<T, AppError>) -> Response {
        match result {
            Ok(value) => axum::Json(value).into_response(),
            Err(e) => e.into_data_response(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Wants {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Wants::of(parts))
    }
}

/// Anyone signed in.
pub struct SignedIn(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Denied> {
        caller_with(parts, &[], Text::new("", "")).map(SignedIn)
    }
}

/// A panitia or an admin, with the regions they manage.
pub struct Manager {
    pub caller: Caller,
    pub scopes: Vec<Scope>,
}

impl<S: Send + Sync> FromRequestParts<S> for Manager {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Denied> {
        let refused = Text::new(
            "Hanya panitia atau admin yang dapat melakukan ini.",
            "Only the panitia or an admin can do this.",
        );
        let caller = caller_with(parts, &[Role::Panitia, Role::Admin], refused)?;
        let scopes = caller.management_scopes();
        Ok(Manager { caller, scopes })
    }
}

/// A panitia with a national scope or an admin: they change what every diklat shares (the
/// question banks and the quizzes' settings).
pub struct ContentManager(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for ContentManager {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Denied> {
        let refused = Text::new(
            "Hanya panitia pusat (nasional) atau admin yang dapat mengubah bank soal.",
            "Only the national panitia or an admin can change the question banks.",
        );
        match caller_with(parts, &[Role::Panitia, Role::Admin], refused.clone())? {
            c if c.manages_content() => Ok(ContentManager(c)),
            _ => Err(Denied::Forbidden(refused)),
        }
    }
}

/// Someone who reads reports: a pejabat, a panitia or an admin.
pub struct ReportReader(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for ReportReader {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Denied> {
        let refused =
            Text::new("Laporan hanya untuk pejabat dan panitia.", "Reports are for officials and the panitia.");
        caller_with(parts, &[Role::Pejabat, Role::Panitia, Role::Admin], refused).map(ReportReader)
    }
}

/// An admin.
pub struct Admin(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Denied> {
        let refused = Text::new("Hanya admin yang dapat melakukan ini.", "Only an admin can do this.");
        caller_with(parts, &[Role::Admin], refused).map(Admin)
    }
}

/// The caller when someone is signed in; for the few posts a visitor may make (signing in, a
/// module page's "read" mark that sends them to sign in and back to the module).
pub struct Visitor(pub Option<Caller>);

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Visitor(parts.extensions.get::<Caller>().cloned()))
    }
}

/// How a form post ends: a one-shot message for the next page (kept in the session), then a
/// redirect (303) back. A record missing or outside the caller's region is the error's own page
/// ([`AppError`]'s response: 404, 403), never a message.
pub struct Reply(Session);

impl<S: Send + Sync> FromRequestParts<S> for Reply {
    type Rejection = <Session as FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Session::from_request_parts(parts, state).await.map(Reply)
    }
}

impl Reply {
    /// The session the message is kept in (for handlers that also keep other one-shot data).
    pub fn session(&self) -> &Session {
        &self.0
    }

    /// Leaves `flash` for the next page, then goes to `to`.
    pub async fn to(&self, to: &str, flash: Flash) -> Response {
        self.keep(flash).await;
        Redirect::to(to).into_response()
    }

    /// Leaves `flash` for the next page the browser shows.
    pub async fn keep(&self, flash: Flash) {
        if let Err(e) = self.0.insert(Flash::KEY, flash).await {
            tracing::error!("storing a flash message: {e}");
        }
    }

    /// The outcome of a use case: `ok`'s message or the error's, back at `back`; a missing or
    /// foreign record is the error's page (404/403).
    pub async fn finish<T>(&self, result: Result<T, AppError>, ok: impl FnOnce(T) -> Text, back: &str) -> Response {
        match result {
            Ok(v) => self.to(back, Flash::ok(ok(v))).await,
            Err(e) => self.failed(e, back).await,
        }
    }

    /// A use case refused or failed: a missing or foreign record is the error's page (404/403);
    /// anything else is a message back at `back` (a server fault logged).
    pub async fn failed(&self, error: AppError, back: &str) -> Response {
        match error {
            AppError::NotFound | AppError::Forbidden => error.into_response(),
            e => {
                if e.status() >= 500 {
                    tracing::error!("form post to {back}: {e:?}");
                }
                self.to(back, Flash::error(e.public_text())).await
            }
        }
    }

    /// Like [`Reply::finish`], but a refused form comes back filled in as posted: `values` go
    /// into the message ([`Flash::refused`]) with the field the error names, and the page opens
    /// form `form` at `anchor` with the error beside that field.
    pub async fn finish_form<T>(
        &self,
        result: Result<T, AppError>,
        ok: impl FnOnce(T) -> Text,
        back: &str,
        (form, anchor, values): (&str, &str, Vec<(String, String)>),
    ) -> Response {
        match result {
            Err(AppError::Invalid { field, message } | AppError::Conflict { field, message }) => {
                let page = back.split('#').next().unwrap_or(back);
                self.to(&format!("{page}#{anchor}"), Flash::refused(message, form, &field, values)).await
            }
            other => self.finish(other, ok, back).await,
        }
    }
}
