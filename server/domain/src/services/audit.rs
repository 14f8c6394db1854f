use crate::{entities::audit_log, AppError};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use std::{future::Future, sync::Arc};

tokio::task_local! {
    /// The address of the client whose request is being handled (see [`with_client`]).
    static CLIENT: Arc<str>;
}

/// Runs `work` (a request's handling) with `client` as the address every [`record`] inside it
/// writes to the `ip` column. Outside such a scope (the command line, start-up) it stays empty.
pub async fn with_client<F: Future>(client: String, work: F) -> F::Output {
    CLIENT.scope(client.into(), work).await
}

/// The client's address as the server worked it out for a request (`routes::note_client` puts it
/// in the request's extensions), for code that runs outside the request's task — server
/// functions called while a page renders — and so cannot see [`with_client`]'s scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub String);

/// Appends one line to the audit log, with the client address of the request being handled.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor_account_id: Option<i32>,
    action: &str,
    entity: &str,
    entity_id: Option<String>,
    detail: Option<serde_json::Value>,
) -> Result<(), AppError> {
    audit_log::ActiveModel {
        at: Set(chrono::Utc::now()),
        actor_account_id: Set(actor_account_id),
        action: Set(action.to_string()),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        detail: Set(detail.map(|d| d.to_string())),
        ip: Set(CLIENT.try_with(|c| c.to_string()).ok()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// One audit line as the admin page shows it.
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
pub struct AuditRow {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

/// The newest audit lines first, 100 a page, optionally only actions starting with `action`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    action: Option<&str>,
    page: u64,
) -> Result<(Vec<AuditRow>, u64), AppError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr, Order, Query};
    use sea_orm::{FromQueryResult, StatementBuilder};
    let per_page = 100u64;
    let filtered = |mut q: sea_orm::sea_query::SelectStatement| {
        if let Some(a) = action.filter(|a| !a.is_empty()) {
            let escaped = a.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            q.and_where(Expr::col(("audit_log", "action")).like(LikeExpr::new(format!("{escaped}%")).escape('\\')));
        }
        q
    };
    let mut count = Query::select();
    count.from("audit_log").expr_as(Func::count(Expr::col(("audit_log", "id"))), Alias::new("n"));
    let total = db.query_one(&filtered(count)).await?.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0);
    let mut q = Query::select();
    q.from("audit_log")
        .left_join("accounts", Expr::col(("accounts", "id")).equals(("audit_log", "actor_account_id")))
        .left_join("people", Expr::col(("people", "id")).equals(("accounts", "person_id")))
        .column(("audit_log", "id"))
        .column(("audit_log", "at"))
        .expr_as(Expr::col(("people", "full_name")), Alias::new("actor"))
        .column(("audit_log", "action"))
        .column(("audit_log", "entity"))
        .column(("audit_log", "entity_id"))
        .column(("audit_log", "detail"))
        .column(("audit_log", "ip"))
        .order_by(("audit_log", "id"), Order::Desc)
        .limit(per_page)
        .offset((Ord::max(page, 1) - 1) * per_page);
    let stmt = StatementBuilder::build(&filtered(q), &db.get_database_backend());
    Ok((AuditRow::find_by_statement(stmt).all(db).await?, total as u64))
}
