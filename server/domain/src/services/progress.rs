//! Reading progress: which sections of a module a person has read, where to resume, and when
//! they first finished it.
//!
//! Progress is stored by section anchor, so it survives content edits: after a new version of a
//! module, sections whose heading stayed keep their state, removed sections stop counting (their
//! rows stay, and count again should the section come back), new sections start unread.

use crate::{
    content::Module,
    entities::{module_progress, section_progress},
    AppError,
};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap};

/// What a person has read of one module.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading {
    pub read: BTreeSet<String>,
    pub last_section: Option<String>,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Reading {
    /// Read sections of the module as it is now (anchors of removed sections do not count).
    pub fn read_count(&self, module: &Module) -> usize {
        module.rendered.sections.iter().filter(|s| self.read.contains(&s.anchor)).count()
    }

    pub fn is_read(&self, anchor: &str) -> bool {
        self.read.contains(anchor)
    }

    pub fn is_complete(&self, module: &Module) -> bool {
        self.read_count(module) == module.rendered.sections.len()
    }

    /// Where "lanjutkan" leads: the first unread section after the last one read (wrapping to
    /// the first unread one); `None` once every section is read.
    pub fn resume_anchor<'m>(&self, module: &'m Module) -> Option<&'m str> {
        let sections = &module.rendered.sections;
        let start = self
            .last_section
            .as_deref()
            .and_then(|last| sections.iter().position(|s| s.anchor == last))
            .map_or(0, |i| i + 1);
        sections[start..]
            .iter()
            .chain(sections[..start].iter())
            .find(|s| !self.read.contains(&s.anchor))
            .map(|s| s.anchor.as_str())
    }
}

/// One person's progress in one module.
pub async fn of_module<C: ConnectionTrait>(db: &C, person_id: i32, module_id: i32) -> Result<Reading, AppError> {
    let anchors: Vec<String> = section_progress::Entity::find()
        .select_only()
        .column(section_progress::Column::SectionAnchor)
        .filter(section_progress::Column::PersonId.eq(person_id))
        .filter(section_progress::Column::ModuleId.eq(module_id))
        .into_tuple()
        .all(db)
        .await?;
    let row = module_progress::Entity::find()
        .filter(module_progress::Column::PersonId.eq(person_id))
        .filter(module_progress::Column::ModuleId.eq(module_id))
        .one(db)
        .await?;
    Ok(Reading {
        read: anchors.into_iter().collect(),
        last_section: row.as_ref().and_then(|r| r.last_section.clone()),
        completed_at: row.and_then(|r| r.completed_at),
    })
}

/// One person's progress in every module they have opened, by module id.
pub async fn of_person<C: ConnectionTrait>(db: &C, person_id: i32) -> Result<HashMap<i32, Reading>, AppError> {
    let mut readings: HashMap<i32, Reading> = HashMap::new();
    let read: Vec<(i32, String)> = section_progress::Entity::find()
        .select_only()
        .columns([section_progress::Column::ModuleId, section_progress::Column::SectionAnchor])
        .filter(section_progress::Column::PersonId.eq(person_id))
        .into_tuple()
        .all(db)
        .await?;
    for (module_id, anchor) in read {
        readings.entry(module_id).or_default().read.insert(anchor);
    }
    let rows = module_progress::Entity::find().filter(module_progress::Column::PersonId.eq(person_id)).all(db).await?;
    for row in rows {
        let reading = readings.entry(row.module_id).or_default();
        reading.last_section = row.last_section;
        reading.completed_at = row.completed_at;
    }
    Ok(readings)
}

/// Records that `person_id` has read the section `anchor` of `module` (idempotent), moves their
/// resume point there, and stamps the module complete the first time every section is read.
pub async fn mark_read<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    person_id: i32,
    module_id: i32,
    module: &Module,
    anchor: &str,
) -> Result<Reading, AppError> {
    if !module.rendered.sections.iter().any(|s| s.anchor == anchor) {
        return Err(AppError::invalid(
            "bagian",
            "Bagian modul ini tidak ditemukan; muat ulang halaman.",
            "This part of the module was not found; reload the page.",
        ));
    }
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    section_progress::Entity::insert(section_progress::ActiveModel {
        person_id: Set(person_id),
        module_id: Set(module_id),
        section_anchor: Set(anchor.to_string()),
        read_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            section_progress::Column::PersonId,
            section_progress::Column::ModuleId,
            section_progress::Column::SectionAnchor,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    module_progress::Entity::insert(module_progress::ActiveModel {
        person_id: Set(person_id),
        module_id: Set(module_id),
        last_section: Set(Some(anchor.to_string())),
        started_at: Set(now),
        updated_at: Set(now),
        completed_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([module_progress::Column::PersonId, module_progress::Column::ModuleId])
            .update_columns([module_progress::Column::LastSection, module_progress::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let mut reading = of_module(&txn, person_id, module_id).await?;
    if reading.completed_at.is_none() && reading.is_complete(module) {
        module_progress::Entity::update_many()
            .col_expr(module_progress::Column::CompletedAt, Expr::value(now))
            .filter(module_progress::Column::PersonId.eq(person_id))
            .filter(module_progress::Column::ModuleId.eq(module_id))
            .filter(module_progress::Column::CompletedAt.is_null())
            .exec(&txn)
            .await?;
        reading.completed_at = Some(now);
    }
    txn.commit().await?;
    Ok(reading)
}
