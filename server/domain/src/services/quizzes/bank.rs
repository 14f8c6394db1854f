//! The banks: recorded from content (`sync`), read back, and GIFT imports held to the bank's checks.

use super::Phase;
use crate::{
    content::Content,
    entities::{question, question_bank, quiz},
    quiz::{Key, Kind},
    AppError,
};
use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The current bank of a module, as recorded in the database.
#[derive(Clone, Debug)]
pub struct LoadedBank {
    pub bank_id: i32,
    /// Question ids in bank order.
    pub questions: Vec<i32>,
}

/// What a stored question's `data` holds.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredData {
    pub(super) key: Key,
}

/// Prefix of the ids of questions imported into the database (GIFT upload), so a new version of
/// the content file carries them over.
pub const IMPORTED_PREFIX: &str = "impor-";

/// The module's current bank: the one recorded (or re-selected) last.
pub(super) async fn current_bank_row<C: ConnectionTrait>(
    db: &C,
    module_id: i32,
) -> Result<Option<question_bank::Model>, AppError> {
    Ok(question_bank::Entity::find()
        .filter(question_bank::Column::ModuleId.eq(module_id))
        .order_by_desc(question_bank::Column::LoadedAt)
        .order_by_desc(question_bank::Column::Id)
        .one(db)
        .await?)
}

/// The module's current bank with its questions in bank order (content first, then imported).
/// Read from the database, so every server sharing it draws from the same bank.
pub async fn current_bank<C: ConnectionTrait>(db: &C, module_id: i32) -> Result<LoadedBank, AppError> {
    let bank = current_bank_row(db, module_id).await?.ok_or(AppError::NotFound)?;
    let questions = question::Entity::find()
        .filter(question::Column::BankId.eq(bank.id))
        .order_by_asc(question::Column::SortOrder)
        .order_by_asc(question::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|q| q.id)
        .collect();
    Ok(LoadedBank { bank_id: bank.id, questions })
}

/// Records each module's bank (a new version when the file changed) and makes sure each module
/// has its default pre-test and post-test. Questions imported earlier (GIFT upload) move to the
/// new version. Returns the current bank per module slug.
pub async fn sync<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    content: &Content,
    module_ids: &HashMap<String, i32>,
) -> Result<HashMap<String, LoadedBank>, AppError> {
    let mut out = HashMap::new();
    let now = Utc::now();
    for m in &content.modules {
        let (Some(bank), Some(&module_id)) = (&m.bank, module_ids.get(&m.meta.slug)) else { continue };
        let txn = db.begin().await?;
        let previous = current_bank_row(&txn, module_id).await?;
        let existing = question_bank::Entity::find()
            .filter(question_bank::Column::ModuleId.eq(module_id))
            .filter(question_bank::Column::ContentHash.eq(&bank.hash))
            .one(&txn)
            .await?;
        let bank_id = match existing {
            Some(b) => {
                if previous.as_ref().is_some_and(|p| p.id != b.id) {
                    // Back to an earlier version of the file: it becomes current again.
                    question_bank::Entity::update_many()
                        .col_expr(question_bank::Column::LoadedAt, Expr::value(now))
                        .filter(question_bank::Column::Id.eq(b.id))
                        .exec(&txn)
                        .await?;
                }
                b.id
            }
            None => {
                let row = question_bank::ActiveModel {
                    module_id: Set(module_id),
                    source_path: Set(format!("modul/{}/{}", m.meta.slug, crate::quiz::FILE_NAME)),
                    content_hash: Set(bank.hash.clone()),
                    version: Set(m.meta.version.clone()),
                    loaded_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                let rows = bank.questions.iter().enumerate().map(|(i, q)| question::ActiveModel {
                    bank_id: Set(row.id),
                    ext_id: Set(q.id.clone()),
                    kind: Set(q.kind.code().to_string()),
                    body: Set(q.html.clone()),
                    data: Set(serde_json::to_string(&StoredData { key: q.key.clone() }).expect("a key serialises")),
                    explanation: Set(Some(q.explanation_html.clone())),
                    sort_order: Set(i as i32),
                    objective: Set(q.objective.map(|o| o as i32)),
                    section: Set(q.section.clone()),
                    ..Default::default()
                });
                question::Entity::insert_many(rows).exec_without_returning(&txn).await?;
                row.id
            }
        };
        if let Some(previous) = previous.filter(|p| p.id != bank_id) {
            carry_imported(&txn, previous.id, bank_id).await?;
        }
        for (phase, settings) in [(Phase::Pre, &bank.pre), (Phase::Post, &bank.post)] {
            let existing = quiz::Entity::find()
                .filter(quiz::Column::ModuleId.eq(module_id))
                .filter(quiz::Column::Kind.eq(phase))
                .filter(quiz::Column::DiklatId.is_null())
                .one(&txn)
                .await?;
            match existing {
                None => {
                    let mut row = quiz::ActiveModel {
                        module_id: Set(module_id),
                        kind: Set(phase),
                        diklat_id: Set(None),
                        question_count: Set(10),
                        shuffle_questions: Set(true),
                        shuffle_options: Set(true),
                        pass_mark: Set(70),
                        max_attempts: Set(3),
                        time_limit_seconds: Set(None),
                        grading_method: Set("highest".into()),
                        show_review: Set(true),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    };
                    if let Some(s) = settings {
                        apply_settings(&mut row, s);
                    }
                    row.insert(&txn).await?;
                }
                // Content settings hold until someone changes the quiz on its page.
                Some(q) if settings.is_some() && !changed_on_page(&txn, q.id).await? => {
                    let id = q.id;
                    let mut row: quiz::ActiveModel = q.into();
                    apply_settings(&mut row, settings.as_ref().expect("checked"));
                    if row.is_changed() {
                        row.updated_at = Set(now);
                        row.update(&txn).await?;
                        // A new pass mark or grading changes who passed: every diklat's standings.
                        crate::services::stale::mark_all_stale(&txn).await?;
                        tracing::info!(quiz = id, "quiz settings taken from the content");
                    }
                }
                Some(_) => {}
            }
        }
        let loaded = current_bank(&txn, module_id).await?;
        txn.commit().await?;
        out.insert(m.meta.slug.clone(), loaded);
    }
    Ok(out)
}

/// Sets what the content's `[tes_awal]`/`[tes_akhir]` gives.
pub(super) fn apply_settings(row: &mut quiz::ActiveModel, s: &crate::quiz::QuizSettings) {
    if let Some(n) = s.jumlah_soal {
        row.question_count.set_if_not_equals(n);
    }
    if let Some(n) = s.nilai_lulus {
        row.pass_mark.set_if_not_equals(n);
    }
    if let Some(n) = s.kesempatan {
        row.max_attempts.set_if_not_equals(n);
    }
    if let Some(m) = s.batas_waktu_menit {
        row.time_limit_seconds.set_if_not_equals((m > 0).then_some(m * 60));
    }
    if let Some(method) = s.grading_method() {
        row.grading_method.set_if_not_equals(method.into());
    }
    if let Some(b) = s.acak_soal {
        row.shuffle_questions.set_if_not_equals(b);
    }
    if let Some(b) = s.acak_opsi {
        row.shuffle_options.set_if_not_equals(b);
    }
    if let Some(b) = s.tampilkan_pembahasan {
        row.show_review.set_if_not_equals(b);
    }
}

/// Whether an admin or panitia changed this quiz's settings on its page (then content does not).
pub(super) async fn changed_on_page<C: ConnectionTrait>(db: &C, quiz_id: i32) -> Result<bool, AppError> {
    use sea_orm::PaginatorTrait;
    Ok(crate::entities::audit_log::Entity::find()
        .filter(crate::entities::audit_log::Column::Action.eq("quiz.settings"))
        .filter(crate::entities::audit_log::Column::EntityId.eq(quiz_id.to_string()))
        .count(db)
        .await?
        > 0)
}

/// Copies the imported questions of bank `from` that `to` does not have yet, after its own.
pub(super) async fn carry_imported<C: ConnectionTrait>(db: &C, from: i32, to: i32) -> Result<(), AppError> {
    let target = question::Entity::find().filter(question::Column::BankId.eq(to)).all(db).await?;
    let have: std::collections::HashSet<String> = target.iter().map(|q| q.ext_id.clone()).collect();
    let mut next = target.iter().map(|q| q.sort_order + 1).max().unwrap_or(0);
    let imported = question::Entity::find()
        .filter(question::Column::BankId.eq(from))
        .filter(question::Column::ExtId.starts_with(IMPORTED_PREFIX))
        .order_by_asc(question::Column::SortOrder)
        .all(db)
        .await?;
    let mut rows = Vec::new();
    for q in imported.into_iter().filter(|q| !have.contains(&q.ext_id)) {
        rows.push(question::ActiveModel {
            bank_id: Set(to),
            ext_id: Set(q.ext_id),
            kind: Set(q.kind),
            body: Set(q.body),
            data: Set(q.data),
            explanation: Set(q.explanation),
            sort_order: Set(next),
            objective: Set(q.objective),
            section: Set(q.section),
            ..Default::default()
        });
        next += 1;
    }
    if !rows.is_empty() {
        question::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// The ids (without the prefix) of the questions already imported into the module's current bank.
pub async fn imported_ids<C: ConnectionTrait>(
    db: &C,
    module_id: i32,
) -> Result<std::collections::HashSet<String>, AppError> {
    let Some(bank) = current_bank_row(db, module_id).await? else { return Ok(Default::default()) };
    Ok(question::Entity::find()
        .filter(question::Column::BankId.eq(bank.id))
        .filter(question::Column::ExtId.starts_with(IMPORTED_PREFIX))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|q| q.ext_id.strip_prefix(IMPORTED_PREFIX).map(str::to_string))
        .collect())
}

/// Reads a GIFT file for the module's current bank (new ids avoid those already imported).
pub async fn read_gift<C: ConnectionTrait>(
    db: &C,
    module_id: i32,
    text: &str,
) -> Result<crate::gift::GiftImport, AppError> {
    let taken = imported_ids(db, module_id).await?;
    let mut import = crate::gift::parse(text, &taken);
    import.drop_duplicates(&bank_fingerprints(db, module_id).await?);
    Ok(import)
}

/// Every question of the module's current bank by fingerprint (`quiz::fingerprint`) → its id.
pub(super) async fn bank_fingerprints<C: ConnectionTrait>(
    db: &C,
    module_id: i32,
) -> Result<HashMap<String, String>, AppError> {
    let Some(bank) = current_bank_row(db, module_id).await? else { return Ok(HashMap::new()) };
    let rows = question::Entity::find().filter(question::Column::BankId.eq(bank.id)).all(db).await?;
    Ok(rows.into_iter().filter_map(stored_question).map(|q| (crate::quiz::fingerprint(&q), q.id)).collect())
}

/// A question as the database stores it, read back as the bank's checks and fingerprints see it:
/// stem and options as their visible text, its tags; `None` for a row that does not parse.
pub(super) fn stored_question(row: question::Model) -> Option<crate::quiz::Question> {
    let stored = serde_json::from_str::<StoredData>(&row.data).ok()?;
    let kind = Kind::from_code(&row.kind)?;
    let option_texts = match &stored.key {
        Key::Choices(options) => options.iter().map(|o| visible_text(&o.html)).collect(),
        _ => Vec::new(),
    };
    Some(crate::quiz::Question {
        id: row.ext_id,
        line: 0,
        kind,
        stem: visible_text(&row.body),
        html: row.body,
        explanation_html: String::new(),
        key: stored.key,
        objective: row.objective.map(|o| o as u32),
        section: row.section,
        option_texts,
    })
}

/// Text of sanitised HTML, as a reader sees it: tags dropped, the escapes the sanitiser writes read.
pub(super) fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// The module's bank as the tests draw from it: the content file's questions, every question
/// imported into the current bank (stem and options read back from their stored HTML), and
/// `extra` (an upload about to join). `None` for a module without a bank file.
pub(super) async fn combined_bank<C: ConnectionTrait>(
    db: &C,
    module: &crate::content::Module,
    module_id: i32,
    extra: &[crate::quiz::Question],
) -> Result<Option<crate::quiz::Bank>, AppError> {
    let Some(file) = &module.bank else { return Ok(None) };
    let mut bank = file.clone();
    if let Some(row) = current_bank_row(db, module_id).await? {
        let imported = question::Entity::find()
            .filter(question::Column::BankId.eq(row.id))
            .filter(question::Column::ExtId.starts_with(IMPORTED_PREFIX))
            .order_by_asc(question::Column::SortOrder)
            .all(db)
            .await?;
        bank.questions.extend(imported.into_iter().filter_map(stored_question));
    }
    bank.questions.extend(extra.iter().cloned());
    Ok(Some(bank))
}

/// What the bank check ([`crate::bank_check::check_measurement`]) finds on the module's bank with
/// its imported questions and `extra`: empty while it measures as `content check` requires of the
/// file alone. Untagged questions are not checked here; the bank page lists them.
pub async fn measurement_findings<C: ConnectionTrait>(
    db: &C,
    module: &crate::content::Module,
    module_id: i32,
    extra: &[crate::quiz::Question],
) -> Result<Vec<String>, AppError> {
    Ok(match combined_bank(db, module, module_id, extra).await? {
        Some(bank) => module.check_bank(&bank, false).into_iter().map(|e| e.message).collect(),
        None => Vec::new(),
    })
}

/// Adds the questions of a GIFT import to the module's current bank (all or nothing, audited).
/// Refused when the bank with them would fail the checks the content file is held to (the
/// correct option mostly the longest, lopsided positions, a stem asked twice, …). Returns how
/// many were added.
pub async fn import_gift<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &crate::auth::Caller,
    module: &crate::content::Module,
    module_id: i32,
    file_name: &str,
    import: &crate::gift::GiftImport,
) -> Result<usize, AppError> {
    if import.questions.is_empty() {
        return Err(AppError::invalid(
            "Berkas",
            "Tidak ada soal yang dapat diimpor dari berkas ini.",
            "There are no questions in this file that can be imported.",
        ));
    }
    let txn = db.begin().await?;
    let bank = current_bank_row(&txn, module_id).await?.ok_or(AppError::NotFound)?;
    // One import per bank at a time, so two uploads sent at once are checked one after the other
    // against the bank with the other's questions (each alone could pass where both together do
    // not). PostgreSQL: the bank's row locked until commit; SQLite: every write goes through the
    // single writer connection, which serialises the transactions already.
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        sea_orm::QuerySelect::lock_exclusive(question_bank::Entity::find_by_id(bank.id)).one(&txn).await?;
    }
    // Checked again inside the transaction: the same file sent twice at once adds it once.
    let mut import = import.clone();
    import.drop_duplicates(&bank_fingerprints(&txn, module_id).await?);
    if import.questions.is_empty() {
        return Err(AppError::invalid(
            "Berkas",
            "Semua soal dalam berkas ini sudah ada di bank soal.",
            "Every question in this file is already in the question bank.",
        ));
    }
    let existing = question::Entity::find().filter(question::Column::BankId.eq(bank.id)).all(&txn).await?;
    let have: std::collections::HashSet<&str> = existing.iter().map(|q| q.ext_id.as_str()).collect();
    let next = existing.iter().map(|q| q.sort_order + 1).max().unwrap_or(0);
    let mut rows = Vec::new();
    for (i, imported) in import.questions.iter().enumerate() {
        let q = &imported.question;
        let ext_id = format!("{IMPORTED_PREFIX}{}", q.id);
        if have.contains(ext_id.as_str()) {
            return Err(AppError::invalid(
                "Berkas",
                format!("Soal \"{}\" sudah ada di bank; unggah ulang berkasnya.", q.id),
                format!("Question \"{}\" is already in the bank; upload the file again.", q.id),
            ));
        }
        rows.push(question::ActiveModel {
            bank_id: Set(bank.id),
            ext_id: Set(ext_id),
            kind: Set(q.kind.code().to_string()),
            body: Set(q.html.clone()),
            data: Set(serde_json::to_string(&StoredData { key: q.key.clone() }).expect("a key serialises")),
            explanation: Set(Some(q.explanation_html.clone())),
            sort_order: Set(next + i as i32),
            objective: Set(q.objective.map(|o| o as i32)),
            section: Set(q.section.clone()),
            ..Default::default()
        });
    }
    let joining: Vec<crate::quiz::Question> = import
        .questions
        .iter()
        .map(|i| crate::quiz::Question { id: format!("{IMPORTED_PREFIX}{}", i.question.id), ..i.question.clone() })
        .collect();
    let findings = measurement_findings(&txn, module, module_id, &joining).await?;
    if !findings.is_empty() {
        const SHOWN: usize = 5;
        let (more_id, more_en) = match findings.len().saturating_sub(SHOWN) {
            0 => (String::new(), String::new()),
            n => (format!("; dan {n} temuan lain"), format!("; and {n} more findings")),
        };
        // The findings come from the content checks, which speak Bahasa Indonesia only.
        let shown = findings.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("; ");
        return Err(AppError::invalid(
            "Berkas",
            format!(
                "Soal dari {file_name} tidak diimpor: bank soal dengan soal ini tidak lolos pemeriksaan mutu \
                 yang sama dengan berkas modul ({shown}{more_id}). Perbaiki soalnya lalu unggah lagi."
            ),
            format!(
                "The questions from {file_name} were not imported: the question bank with them does not pass \
                 the same quality checks as the module file ({shown}{more_en}). Fix the questions, then upload again."
            ),
        ));
    }
    let added = rows.len();
    question::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    crate::services::audit::record(
        &txn,
        Some(caller.account_id),
        "quiz.import_gift",
        "question_bank",
        Some(bank.id.to_string()),
        Some(serde_json::json!({ "file": file_name, "added": added, "skipped": import.skipped() })),
    )
    .await?;
    txn.commit().await?;
    Ok(added)
}
