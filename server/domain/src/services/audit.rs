use crate::{entities::audit_log, AppError};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

/// Appends one line to the audit log.
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
        ip: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
