use crate::{content::Content, entities::module, AppError};
use sea_orm::{sea_query::OnConflict, ConnectionTrait, EntityTrait, QuerySelect, Set};
use std::collections::HashMap;

/// Records the loaded modules (slug, title, version, hash) so progress, quizzes and diklat can
/// refer to them. Modules removed from the content keep their row: progress is never dropped.
/// Returns every module's id by slug.
pub async fn sync<C: ConnectionTrait>(db: &C, content: &Content) -> Result<HashMap<String, i32>, AppError> {
    let now = chrono::Utc::now();
    for m in &content.modules {
        let row = module::ActiveModel {
            slug: Set(m.meta.slug.clone()),
            title: Set(m.meta.title.clone()),
            version: Set(m.meta.version.clone()),
            content_hash: Set(m.hash.clone()),
            sort_order: Set(m.meta.order as i32),
            jp: Set(m.meta.jp as i32),
            updated_at: Set(now),
            ..Default::default()
        };
        module::Entity::insert(row)
            .on_conflict(
                OnConflict::column(module::Column::Slug)
                    .update_columns([
                        module::Column::Title,
                        module::Column::Version,
                        module::Column::ContentHash,
                        module::Column::SortOrder,
                        module::Column::Jp,
                        module::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    let ids: Vec<(String, i32)> = module::Entity::find()
        .select_only()
        .columns([module::Column::Slug, module::Column::Id])
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}
