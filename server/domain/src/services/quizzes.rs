//! Pre-tests and post-tests: banks recorded from content, attempts that live on the server, grading.
//!
//! The attempt's start time and deadline come from the server clock; answers are saved as the
//! participant goes; submitting twice changes nothing; a save or submit after the deadline
//! submits what was saved before it. Correct answers stay on the server until submission.

use crate::{
    content::Content,
    entities::{attempt, attempt_answer, question, question_bank, quiz},
    quiz::{grade_key, Key, Kind, Response},
    AppError,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Pre-test (before reading) or post-test (after).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    Pre,
    Post,
}

impl Phase {
    pub fn code(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
        }
    }
    /// The word in URLs: `awal` / `akhir`.
    pub fn slug(self) -> &'static str {
        match self {
            Phase::Pre => "awal",
            Phase::Post => "akhir",
        }
    }
    pub fn from_slug(s: &str) -> Option<Phase> {
        match s {
            "awal" => Some(Phase::Pre),
            "akhir" => Some(Phase::Post),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        self.labels().0
    }

    /// (Bahasa Indonesia, English)
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Phase::Pre => ("Tes awal", "Pre-test"),
            Phase::Post => ("Tes akhir", "Post-test"),
        }
    }
}

/// The current bank of a module, as recorded in the database.
#[derive(Clone, Debug)]
pub struct LoadedBank {
    pub bank_id: i32,
    /// Question ids in bank order.
    pub questions: Vec<i32>,
}

/// What a stored question's `data` holds.
#[derive(Serialize, Deserialize)]
struct StoredData {
    key: Key,
}

/// Prefix of the ids of questions imported into the database (GIFT upload), so a new version of
/// the content file carries them over.
pub const IMPORTED_PREFIX: &str = "impor-";

/// The module's current bank: the one recorded (or re-selected) last.
async fn current_bank_row<C: ConnectionTrait>(
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
                .filter(quiz::Column::Kind.eq(phase.code()))
                .filter(quiz::Column::DiklatId.is_null())
                .one(&txn)
                .await?;
            match existing {
                None => {
                    let mut row = quiz::ActiveModel {
                        module_id: Set(module_id),
                        kind: Set(phase.code().into()),
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
                        super::stale::mark_all_stale(&txn).await?;
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
fn apply_settings(row: &mut quiz::ActiveModel, s: &crate::quiz::QuizSettings) {
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
async fn changed_on_page<C: ConnectionTrait>(db: &C, quiz_id: i32) -> Result<bool, AppError> {
    use sea_orm::PaginatorTrait;
    Ok(crate::entities::audit_log::Entity::find()
        .filter(crate::entities::audit_log::Column::Action.eq("quiz.settings"))
        .filter(crate::entities::audit_log::Column::EntityId.eq(quiz_id.to_string()))
        .count(db)
        .await?
        > 0)
}

/// Copies the imported questions of bank `from` that `to` does not have yet, after its own.
async fn carry_imported<C: ConnectionTrait>(db: &C, from: i32, to: i32) -> Result<(), AppError> {
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
async fn bank_fingerprints<C: ConnectionTrait>(db: &C, module_id: i32) -> Result<HashMap<String, String>, AppError> {
    let Some(bank) = current_bank_row(db, module_id).await? else { return Ok(HashMap::new()) };
    let rows = question::Entity::find().filter(question::Column::BankId.eq(bank.id)).all(db).await?;
    Ok(rows.into_iter().filter_map(stored_question).map(|q| (crate::quiz::fingerprint(&q), q.id)).collect())
}

/// A question as the database stores it, read back as the bank's checks and fingerprints see it:
/// stem and options as their visible text, its tags; `None` for a row that does not parse.
fn stored_question(row: question::Model) -> Option<crate::quiz::Question> {
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
fn visible_text(html: &str) -> String {
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
async fn combined_bank<C: ConnectionTrait>(
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

/// A stored question with its kind and key, parsed once.
pub struct Loaded {
    pub model: question::Model,
    pub kind: Kind,
    pub key: Key,
}

/// The questions with these ids, parsed, by id.
pub async fn load_questions<C: ConnectionTrait>(db: &C, ids: Vec<i32>) -> Result<HashMap<i32, Loaded>, AppError> {
    question::Entity::find()
        .filter(question::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let key = serde_json::from_str::<StoredData>(&m.data)
                .map(|d| d.key)
                .map_err(|e| AppError::Internal(format!("question {}: {e}", m.id)))?;
            let kind = Kind::from_code(&m.kind).unwrap_or(Kind::Single);
            Ok((m.id, Loaded { model: m, kind, key }))
        })
        .collect()
}

/// The kind of each question of an attempt (what a form post needs to read its answers).
pub async fn kinds_of<C: ConnectionTrait>(
    db: &C,
    cache: &QuestionCache,
    a: &attempt::Model,
) -> Result<HashMap<i32, Kind>, AppError> {
    let ids: Vec<i32> = layout_of(a).into_iter().map(|s| s.q).collect();
    Ok(cache.get(db, &ids).await?.into_iter().map(|(id, q)| (id, q.kind)).collect())
}

/// The caller's attempt `attempt_id` and the answers a posted attempt form holds for it (the
/// form handler and the autosave server function both read a form this way).
pub async fn posted_answers<C: ConnectionTrait>(
    db: &C,
    cache: &QuestionCache,
    person_id: i32,
    attempt_id: i64,
    fields: &[(String, String)],
) -> Result<(attempt::Model, Vec<(i32, Response)>), AppError> {
    let a = own_attempt(db, person_id, attempt_id).await?;
    let kinds = kinds_of(db, cache, &a).await?;
    let responses = read_answers(fields, &kinds);
    Ok((a, responses))
}

/// Reads the answer fields of the attempt form: one `d` per question shown, `q{id}` per answer
/// (several for a several-correct question; `benar`/`salah` for true/false). Questions left
/// blank are not answers; fields for questions outside `kinds` are ignored.
pub fn read_answers(fields: &[(String, String)], kinds: &HashMap<i32, Kind>) -> Vec<(i32, Response)> {
    let mut responses = Vec::new();
    for id in fields.iter().filter(|(n, _)| n == "d").filter_map(|(_, v)| v.parse::<i32>().ok()) {
        let Some(kind) = kinds.get(&id) else { continue };
        if responses.iter().any(|(q, _)| *q == id) {
            continue;
        }
        let name = format!("q{id}");
        let values: Vec<&str> = fields.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.as_str()).collect();
        let response = match kind {
            Kind::Single | Kind::Multiple => {
                if values.is_empty() && *kind == Kind::Single {
                    continue;
                }
                Response::Choices(values.iter().filter_map(|v| v.parse().ok()).collect())
            }
            Kind::TrueFalse => match values.first() {
                Some(&"benar") => Response::TrueFalse(true),
                Some(&"salah") => Response::TrueFalse(false),
                _ => continue,
            },
            Kind::Short | Kind::Numeric => match values.first() {
                Some(v) if !v.trim().is_empty() => Response::Text(v.to_string()),
                _ => continue,
            },
        };
        responses.push((id, response));
    }
    responses
}

/// A module's default quiz for a phase.
pub async fn quiz_of<C: ConnectionTrait>(db: &C, module_id: i32, phase: Phase) -> Result<quiz::Model, AppError> {
    quiz::Entity::find()
        .filter(quiz::Column::ModuleId.eq(module_id))
        .filter(quiz::Column::Kind.eq(phase.code()))
        .filter(quiz::Column::DiklatId.is_null())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// One drawn question: its id and the display order of its options (indices into the bank's).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Slot {
    pub q: i32,
    #[serde(default)]
    pub o: Vec<usize>,
}

pub fn layout_of(a: &attempt::Model) -> Vec<Slot> {
    serde_json::from_str(&a.layout).unwrap_or_default()
}

/// A person's attempts at a quiz, oldest first.
pub async fn attempts_of<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    quiz_id: i32,
) -> Result<Vec<attempt::Model>, AppError> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::PersonId.eq(person_id))
        .filter(attempt::Column::QuizId.eq(quiz_id))
        .order_by_asc(attempt::Column::AttemptNo)
        .all(db)
        .await?)
}

/// The grade that counts, by the quiz's grading method, over finished attempts.
pub fn final_score(method: &str, attempts: &[attempt::Model]) -> Option<f64> {
    let scores: Vec<f64> = attempts.iter().filter(|a| a.status != "in_progress").filter_map(|a| a.score).collect();
    match method {
        "last" => scores.last().copied(),
        "first" => scores.first().copied(),
        "average" if !scores.is_empty() => Some(scores.iter().sum::<f64>() / scores.len() as f64),
        _ => scores.iter().copied().reduce(f64::max),
    }
}

/// A person's attempts at a quiz taken for one diklat, oldest first.
pub async fn attempts_in<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    quiz_id: i32,
    diklat_id: i32,
) -> Result<Vec<attempt::Model>, AppError> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::PersonId.eq(person_id))
        .filter(attempt::Column::QuizId.eq(quiz_id))
        .filter(attempt::Column::DiklatId.eq(diklat_id))
        .order_by_asc(attempt::Column::AttemptNo)
        .all(db)
        .await?)
}

/// The questions `person_id` has been shown in any pre-test of `module_id`: what their post-tests
/// never draw, so the pre-test cannot leak the post-test's key.
pub async fn seen_in_pretests<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    module_id: i32,
) -> Result<std::collections::HashSet<i32>, AppError> {
    let pre = quiz_of(db, module_id, Phase::Pre).await?;
    Ok(attempts_of(db, person_id, pre.id).await?.iter().flat_map(|a| layout_of(a).into_iter().map(|s| s.q)).collect())
}

/// Draws a form of `count` questions from `pool` (question id, objective), leaving out
/// `exclude`: spread as evenly as the pool allows over the objectives, so two forms drawn from
/// one bank measure the same things (parallel forms). Without `shuffle`, the bank's order.
/// Never returns an excluded question, even when that makes the form shorter.
pub fn draw_form(
    pool: &[(i32, Option<i32>)],
    count: usize,
    exclude: &std::collections::HashSet<i32>,
    shuffle: bool,
    rng: &mut impl rand::Rng,
) -> Vec<i32> {
    use rand::seq::SliceRandom;
    let open: Vec<(i32, Option<i32>)> = pool.iter().copied().filter(|(q, _)| !exclude.contains(q)).collect();
    if !shuffle {
        return open.into_iter().take(count).map(|(q, _)| q).collect();
    }
    let mut groups: std::collections::BTreeMap<Option<i32>, Vec<i32>> = Default::default();
    for (q, objective) in open {
        groups.entry(objective).or_default().push(q);
    }
    let mut groups: Vec<Vec<i32>> = groups.into_values().collect();
    for g in &mut groups {
        g.shuffle(rng);
    }
    groups.shuffle(rng);
    let mut drawn = Vec::with_capacity(count);
    while drawn.len() < count && groups.iter().any(|g| !g.is_empty()) {
        for g in &mut groups {
            if drawn.len() == count {
                break;
            }
            if let Some(q) = g.pop() {
                drawn.push(q);
            }
        }
    }
    drawn.shuffle(rng);
    drawn
}

/// Starts an attempt for the diklat `diklat_id` (or returns the one in progress there). Refused
/// once that diklat's attempts are used up. A post-test draws none of the questions the person
/// saw in their pre-tests of the module; both are spread over the module's objectives.
pub async fn start<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    cache: &QuestionCache,
    person_id: i32,
    q: &quiz::Model,
    bank: &LoadedBank,
    diklat_id: i32,
    now: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    use rand::{seq::SliceRandom, SeedableRng};
    let txn = db.begin().await?;
    let previous = attempts_in(&txn, person_id, q.id, diklat_id).await?;
    if let Some(open) = previous.iter().find(|a| a.status == "in_progress") {
        let open = open.clone();
        drop(txn);
        return finish_if_late(db, cache, open, now).await;
    }
    if previous.len() >= q.max_attempts as usize {
        return Err(AppError::invalid(
            "Percobaan",
            format!("Kesempatan mengerjakan sudah habis ({} kali).", q.max_attempts),
            format!("You have used all your attempts ({}).", q.max_attempts),
        ));
    }
    let numbered = attempts_of(&txn, person_id, q.id).await?.len();
    // A Send generator: the draw spans awaits.
    let mut rng = rand::rngs::StdRng::from_rng(&mut rand::rng());
    let stored = cache.get(&txn, &bank.questions).await?;
    let pool: Vec<(i32, Option<i32>)> =
        bank.questions.iter().map(|id| (*id, stored.get(id).and_then(|l| l.model.objective))).collect();
    let exclude = if q.kind == Phase::Post.code() {
        seen_in_pretests(&txn, person_id, q.module_id).await?
    } else {
        Default::default()
    };
    let drawn = draw_form(&pool, q.question_count.max(1) as usize, &exclude, q.shuffle_questions, &mut rng);
    if drawn.is_empty() {
        return Err(AppError::invalid(
            "Percobaan",
            "Bank soal modul ini belum cukup untuk tes ini. Hubungi panitia.",
            "This module's question bank does not have enough questions for this test yet. Contact the organisers.",
        ));
    }
    let layout: Vec<Slot> = drawn
        .iter()
        .map(|id| {
            let options = match stored.get(id).map(|q| &q.key) {
                Some(Key::Choices(c)) => c.len(),
                _ => 0,
            };
            let mut o: Vec<usize> = (0..options).collect();
            if q.shuffle_options {
                o.shuffle(&mut rng);
            }
            Slot { q: *id, o }
        })
        .collect();
    let row = attempt::ActiveModel {
        quiz_id: Set(q.id),
        person_id: Set(person_id),
        attempt_no: Set(numbered as i32 + 1),
        bank_id: Set(bank.bank_id),
        started_at: Set(now),
        deadline_at: Set(q.time_limit_seconds.map(|s| now + Duration::seconds(i64::from(s)))),
        submitted_at: Set(None),
        status: Set("in_progress".into()),
        score: Set(None),
        passed: Set(None),
        layout: Set(serde_json::to_string(&layout).expect("a layout serialises")),
        diklat_id: Set(Some(diklat_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await
    // Two starts at once: the unique (quiz, person, attempt_no) lets one through.
    .map_err(|e| {
        AppError::on_unique(
            e,
            "Percobaan",
            "Percobaan sudah dimulai; muat ulang halaman.",
            "The attempt has already started; reload the page.",
        )
    })?;
    txn.commit().await?;
    Ok(row)
}

/// The quiz of an attempt and its module.
pub async fn quiz_and_module<C: ConnectionTrait>(
    db: &C,
    a: &attempt::Model,
) -> Result<(quiz::Model, crate::entities::module::Model), AppError> {
    let q = quiz::Entity::find_by_id(a.quiz_id).one(db).await?.ok_or(AppError::NotFound)?;
    let m = crate::entities::module::Entity::find_by_id(q.module_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((q, m))
}

/// The caller's own attempt (anyone else's is NotFound).
pub async fn own_attempt<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    attempt_id: i64,
) -> Result<attempt::Model, AppError> {
    attempt::Entity::find_by_id(attempt_id)
        .one(db)
        .await?
        .filter(|a| a.person_id == person_id)
        .ok_or(AppError::NotFound)
}

/// Saved responses of an attempt, by question id.
pub async fn responses_of<C: ConnectionTrait>(
    db: &C,
    attempt_id: i64,
) -> Result<HashMap<i32, (Response, Option<f64>)>, AppError> {
    Ok(attempt_answer::Entity::find()
        .filter(attempt_answer::Column::AttemptId.eq(attempt_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|a| serde_json::from_str(&a.response).ok().map(|r| (a.question_id, (r, a.fraction))))
        .collect())
}

/// Parsed questions by id. A question row never changes once written (a new bank version or an
/// import adds rows), so an entry never goes stale; the cache is bounded by the banks' size.
#[derive(Default)]
pub struct QuestionCache(std::sync::RwLock<HashMap<i32, std::sync::Arc<Loaded>>>);

impl QuestionCache {
    pub async fn get<C: ConnectionTrait>(
        &self,
        db: &C,
        ids: &[i32],
    ) -> Result<HashMap<i32, std::sync::Arc<Loaded>>, AppError> {
        let mut out = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let map = self.0.read().expect("question cache lock");
            for id in ids {
                match map.get(id) {
                    Some(q) => {
                        out.insert(*id, q.clone());
                    }
                    None => missing.push(*id),
                }
            }
        }
        if !missing.is_empty() {
            let loaded = load_questions(db, missing).await?;
            let mut map = self.0.write().expect("question cache lock");
            for (id, q) in loaded {
                let q = std::sync::Arc::new(q);
                map.insert(id, q.clone());
                out.insert(id, q);
            }
        }
        Ok(out)
    }
}

/// Submits an attempt whose deadline has passed (with what was saved), and returns it.
async fn finish_if_late<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    cache: &QuestionCache,
    a: attempt::Model,
    now: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    match a.deadline_at {
        Some(deadline) if a.status == "in_progress" && now > deadline => {
            grade_and_close(db, db, cache, a, Vec::new(), "expired", deadline).await
        }
        _ => Ok(a),
    }
}

/// Refuses responses to questions outside the attempt, or longer than a short answer can be.
fn check_responses(a: &attempt::Model, responses: &[(i32, Response)]) -> Result<(), AppError> {
    let allowed: std::collections::HashSet<i32> = layout_of(a).into_iter().map(|s| s.q).collect();
    if responses.len() > allowed.len() || responses.iter().any(|(q, _)| !allowed.contains(q)) {
        return Err(AppError::invalid(
            "Jawaban",
            "Jawaban untuk soal yang bukan bagian percobaan ini.",
            "An answer to a question that is not part of this attempt.",
        ));
    }
    if responses.iter().any(|(_, r)| matches!(r, Response::Text(t) if t.chars().count() > 500)) {
        return Err(AppError::invalid(
            "Jawaban",
            "Jawaban terlalu panjang (paling banyak 500 huruf).",
            "The answer is too long (at most 500 characters).",
        ));
    }
    Ok(())
}

/// Writes responses (with their credit once graded) in one statement.
async fn upsert_answers<C: ConnectionTrait>(
    db: &C,
    attempt_id: i64,
    rows: Vec<(i32, &Response, Option<f64>)>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let models = rows.into_iter().map(|(question_id, response, fraction)| attempt_answer::ActiveModel {
        attempt_id: Set(attempt_id),
        question_id: Set(question_id),
        response: Set(serde_json::to_string(response).expect("a response serialises")),
        fraction: Set(fraction),
        saved_at: Set(now),
        ..Default::default()
    });
    attempt_answer::Entity::insert_many(models)
        .on_conflict(
            OnConflict::columns([attempt_answer::Column::AttemptId, attempt_answer::Column::QuestionId])
                .update_columns([
                    attempt_answer::Column::Response,
                    attempt_answer::Column::Fraction,
                    attempt_answer::Column::SavedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Saves responses to questions of an attempt already loaded with [`own_attempt`]. After the
/// deadline nothing is saved: the attempt is submitted with what it had, and the caller is told.
/// The write checks, in its own transaction, that the attempt is still open: an autosave that
/// races a submit never changes the answers that were graded.
pub async fn save<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    cache: &QuestionCache,
    a: attempt::Model,
    responses: Vec<(i32, Response)>,
    now: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    let attempt_id = a.id;
    let a = finish_if_late(db, cache, a, now).await?;
    let closed = || {
        AppError::invalid(
            "Percobaan",
            "Percobaan ini sudah selesai; jawaban tidak diubah.",
            "This attempt has already finished; the answers were not changed.",
        )
    };
    if a.status != "in_progress" {
        return Err(closed());
    }
    check_responses(&a, &responses)?;
    refuse_ambiguous_numbers(db, cache, &a, &responses).await?;
    let txn = db.begin().await?;
    if !hold_if_open(&txn, attempt_id).await? {
        return Err(closed());
    }
    upsert_answers(&txn, attempt_id, responses.iter().map(|(q, r)| (*q, r, None)).collect(), now).await?;
    txn.commit().await?;
    Ok(a)
}

/// Inside a write transaction: takes the attempt's row (PostgreSQL holds it to the end of the
/// transaction; on SQLite the transaction already has the single writer) and says whether the
/// attempt is still in progress. Saving and grading both go through it, so they take turns.
async fn hold_if_open<C: ConnectionTrait>(txn: &C, attempt_id: i64) -> Result<bool, AppError> {
    let held = attempt::Entity::update_many()
        .col_expr(attempt::Column::Status, Expr::col(attempt::Column::Status))
        .filter(attempt::Column::Id.eq(attempt_id))
        .filter(attempt::Column::Status.eq("in_progress"))
        .exec(txn)
        .await?;
    Ok(held.rows_affected == 1)
}

/// Saves the last responses, grades and closes an attempt already loaded (and checked to be the
/// caller's), in one transaction. Submitting twice changes nothing and returns the first result;
/// after the deadline only what was saved before it counts. Reads go to `read`, the one short
/// write transaction to `write`.
pub async fn submit_attempt<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    cache: &QuestionCache,
    a: attempt::Model,
    responses: Vec<(i32, Response)>,
    now: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    if a.status != "in_progress" {
        return Ok(a);
    }
    if let Some(deadline) = a.deadline_at.filter(|d| now > *d) {
        return grade_and_close(read, write, cache, a, Vec::new(), "expired", deadline).await;
    }
    check_responses(&a, &responses)?;
    refuse_ambiguous_numbers(read, cache, &a, &responses).await?;
    grade_and_close(read, write, cache, a, responses, "submitted", now).await
}

/// Refuses a typed number that reads two ways (`3.142`: three point one four two, or three
/// thousand one hundred forty-two), naming the question, so the participant writes it again
/// instead of being graded on a guess. (At the deadline there is nobody to ask: it counts wrong.)
async fn refuse_ambiguous_numbers<R: ConnectionTrait>(
    read: &R,
    cache: &QuestionCache,
    a: &attempt::Model,
    responses: &[(i32, Response)],
) -> Result<(), AppError> {
    let typed: Vec<(i32, &str)> = responses
        .iter()
        .filter_map(|(q, r)| match r {
            Response::Text(t) => Some((*q, t.as_str())),
            _ => None,
        })
        .collect();
    if typed.is_empty() {
        return Ok(());
    }
    let layout = layout_of(a);
    let questions = cache.get(read, &typed.iter().map(|(q, _)| *q).collect::<Vec<_>>()).await?;
    for (q, text) in typed {
        let numeric = questions.get(&q).is_some_and(|l| l.kind == Kind::Numeric);
        if numeric && crate::quiz::read_number(text) == Err(crate::quiz::NumberError::Ambiguous) {
            let no = layout.iter().position(|s| s.q == q).map_or(0, |i| i + 1);
            return Err(AppError::invalid(
                format!("soal-{no}"),
                format!(
                    "Soal nomor {no}: \"{}\" dapat dibaca dua cara (titik sebagai desimal atau sebagai pemisah \
                     ribuan). Tulis ulang tanpa titik: pakai koma untuk desimal (contoh 3,142) atau tanpa pemisah \
                     (contoh 3142).",
                    text.trim()
                ),
                format!(
                    "Question {no}: \"{}\" can be read two ways (the dot as a decimal point or as a thousands \
                     separator). Write it again without the dot: use a comma for decimals (e.g. 3,142) or no \
                     separator (e.g. 3142).",
                    text.trim()
                ),
            ));
        }
    }
    Ok(())
}

async fn grade_and_close<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    cache: &QuestionCache,
    a: attempt::Model,
    new: Vec<(i32, Response)>,
    status: &str,
    at: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    let layout = layout_of(&a);
    let ids: Vec<i32> = layout.iter().map(|s| s.q).collect();
    let questions = cache.get(read, &ids).await?;
    let quiz = quiz::Entity::find_by_id(a.quiz_id).one(read).await?.ok_or(AppError::NotFound)?;
    let txn = write.begin().await?;
    // Held from here to the commit, so no autosave can change the answers between the moment
    // they are read and graded and the moment the attempt is closed.
    if !hold_if_open(&txn, a.id).await? {
        drop(txn);
        // A concurrent submit got there first: its result stands.
        return attempt::Entity::find_by_id(a.id).one(write).await?.ok_or(AppError::NotFound);
    }
    // What was saved before (autosave, earlier pages), then what this request brings; when it
    // answers every question, nothing saved before can count.
    let mut responses: HashMap<i32, Response> = if ids.iter().all(|id| new.iter().any(|(q, _)| q == id)) {
        HashMap::new()
    } else {
        responses_of(&txn, a.id).await?.into_iter().map(|(q, (r, _))| (q, r)).collect()
    };
    responses.extend(new);
    let mut total = 0.0;
    let mut rows = Vec::new();
    for slot in &layout {
        let (Some(q), Some(r)) = (questions.get(&slot.q), responses.get(&slot.q)) else { continue };
        let fraction = grade_key(q.kind, &q.key, r);
        total += fraction;
        rows.push((slot.q, r, Some(fraction)));
    }
    let score = if layout.is_empty() { 0.0 } else { (total / layout.len() as f64 * 1000.0).round() / 10.0 };
    upsert_answers(&txn, a.id, rows, at).await?;
    // A pre-test measures where someone starts: it has a score, never a pass or a fail.
    let passed = (quiz.kind != Phase::Pre.code()).then(|| score >= f64::from(quiz.pass_mark));
    attempt::Entity::update_many()
        .col_expr(attempt::Column::Status, Expr::value(status))
        .col_expr(attempt::Column::SubmittedAt, Expr::value(at))
        .col_expr(attempt::Column::Score, Expr::value(score))
        .col_expr(attempt::Column::Passed, Expr::value(passed))
        .filter(attempt::Column::Id.eq(a.id))
        .exec(&txn)
        .await?;
    super::stale::mark_stale_for_person(&txn, a.person_id).await?;
    txn.commit().await?;
    let mut a = a;
    a.status = status.to_string();
    a.submitted_at = Some(at);
    a.score = Some(score);
    a.passed = passed;
    Ok(a)
}

/// A submitted attempt that holds only its score (no questions, no answers): results brought in
/// from elsewhere, as the demo's October results and the benchmarks write them, taken for
/// `diklat_id`.
pub fn scored_attempt(
    q: &quiz::Model,
    person_id: i32,
    bank_id: i32,
    score: f64,
    (started, submitted): (DateTime<Utc>, DateTime<Utc>),
    diklat_id: Option<i32>,
) -> attempt::ActiveModel {
    attempt::ActiveModel {
        quiz_id: Set(q.id),
        person_id: Set(person_id),
        attempt_no: Set(1),
        bank_id: Set(bank_id),
        started_at: Set(started),
        submitted_at: Set(Some(submitted)),
        status: Set("submitted".into()),
        score: Set(Some(score)),
        passed: Set((q.kind != Phase::Pre.code()).then(|| score >= f64::from(q.pass_mark))),
        layout: Set("[]".into()),
        diklat_id: Set(diklat_id),
        ..Default::default()
    }
}

/// The objectives (1-based, as tagged in the bank) behind the questions of a finished attempt
/// that were not fully right or not answered, in order: what to study.
pub async fn objectives_to_study<C: ConnectionTrait>(db: &C, a: &attempt::Model) -> Result<Vec<i32>, AppError> {
    let layout = layout_of(a);
    let questions = load_questions(db, layout.iter().map(|s| s.q).collect()).await?;
    let responses = responses_of(db, a.id).await?;
    let mut out: Vec<i32> = layout
        .iter()
        .filter(|s| responses.get(&s.q).and_then(|(_, f)| *f).is_none_or(|f| f < 1.0))
        .filter_map(|s| questions.get(&s.q).and_then(|l| l.model.objective))
        .collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// A question of an attempt as the participant sees it: never the key.
#[derive(Clone, Debug)]
pub struct ShownQuestion {
    pub question_id: i32,
    pub kind: Kind,
    pub html: String,
    /// (bank index, html) in display order.
    pub options: Vec<(usize, String)>,
    pub response: Option<Response>,
    /// After submission, when the quiz shows its review.
    pub review: Option<Review>,
}

#[derive(Clone, Debug)]
pub struct Review {
    pub fraction: f64,
    pub explanation_html: String,
    /// Bank indices of the correct options, or the accepted answer(s) / number as text.
    pub correct_options: Vec<usize>,
    pub correct_text: String,
}

/// Whether a finished attempt may show its review (correct answers and explanations): only when
/// the quiz shows reviews at all, and for a post-test only once the participant has passed it or
/// used their last attempt in that diklat — a key shown between attempts would be the next
/// attempt's answers.
pub async fn review_due<C: ConnectionTrait>(db: &C, a: &attempt::Model) -> Result<bool, AppError> {
    let Some(q) = quiz::Entity::find_by_id(a.quiz_id).one(db).await? else { return Ok(false) };
    if !q.show_review {
        return Ok(false);
    }
    if q.kind != Phase::Post.code() {
        return Ok(true);
    }
    let attempts = match a.diklat_id {
        Some(d) => attempts_in(db, a.person_id, q.id, d).await?,
        None => attempts_of(db, a.person_id, q.id).await?.into_iter().filter(|x| x.diklat_id.is_none()).collect(),
    };
    let passed = attempts.iter().any(|x| x.passed == Some(true));
    let finished = attempts.iter().filter(|x| x.status != "in_progress").count();
    Ok(passed || finished >= q.max_attempts as usize)
}

/// The questions of an attempt in display order; the key only once it is finished, and only
/// when the quiz shows its review (`show_review`; the score and pass/fail are shown either way).
pub async fn shown<C: ConnectionTrait>(db: &C, a: &attempt::Model) -> Result<Vec<ShownQuestion>, AppError> {
    let layout = layout_of(a);
    let questions = load_questions(db, layout.iter().map(|s| s.q).collect()).await?;
    let responses = responses_of(db, a.id).await?;
    let finished = a.status != "in_progress" && review_due(db, a).await?;
    let mut out = Vec::new();
    for slot in layout {
        let Some(Loaded { model: q, kind, key }) = questions.get(&slot.q) else { continue };
        let options = match key {
            Key::Choices(c) => slot.o.iter().filter_map(|&i| c.get(i).map(|o| (i, o.html.clone()))).collect(),
            _ => vec![],
        };
        let (response, fraction) = match responses.get(&q.id) {
            Some((r, f)) => (Some(r.clone()), *f),
            None => (None, None),
        };
        // Feedback of the options this participant ticked, then the explanation everyone sees.
        let chosen_feedback: String = match (key, responses.get(&q.id)) {
            (Key::Choices(c), Some((Response::Choices(chosen), _))) => chosen
                .iter()
                .filter_map(|i| c.get(*i).and_then(|o| o.feedback_html.as_deref()))
                .map(|f| format!("<div class=\"option-feedback\">{f}</div>"))
                .collect(),
            _ => String::new(),
        };
        let review = finished.then(|| Review {
            fraction: fraction.unwrap_or(0.0),
            explanation_html: format!("{chosen_feedback}{}", q.explanation.clone().unwrap_or_default()),
            correct_options: match key {
                Key::Choices(c) => c.iter().enumerate().filter(|(_, o)| o.correct).map(|(i, _)| i).collect(),
                _ => vec![],
            },
            correct_text: match key {
                Key::TrueFalse(b) => if *b { "Benar" } else { "Salah" }.to_string(),
                Key::Short(accepted) => accepted.join(" / "),
                Key::Numeric { value, tolerance } if *tolerance > 0.0 => format!("{value} (± {tolerance})"),
                Key::Numeric { value, .. } => format!("{value}"),
                Key::Choices(_) => String::new(),
            },
        });
        out.push(ShownQuestion { question_id: q.id, kind: *kind, html: q.body.clone(), options, response, review });
    }
    Ok(out)
}

/// What the settings form sends, as typed.
#[derive(Clone, Debug, Default)]
pub struct SettingsInput {
    pub question_count: String,
    pub pass_mark: String,
    pub max_attempts: String,
    /// Minutes; empty for no limit.
    pub time_limit_minutes: String,
    pub grading_method: String,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub show_review: bool,
}

/// Changes a quiz's settings (admin). Attempts already started keep the deadline they got.
pub async fn update_settings<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &crate::auth::Caller,
    quiz_id: i32,
    bank_size: usize,
    input: &SettingsInput,
) -> Result<(), AppError> {
    let number = |field: &str, value: &str, min: i32, max: i32| -> Result<i32, AppError> {
        match value.trim().parse::<i32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(AppError::invalid(
                field,
                format!("{field}: isi angka {min}–{max}."),
                format!("{field}: enter a number from {min} to {max}."),
            )),
        }
    };
    let count = number("Jumlah soal", &input.question_count, 1, bank_size as i32)?;
    let pass = number("Nilai lulus", &input.pass_mark, 0, 100)?;
    let attempts = number("Kesempatan", &input.max_attempts, 1, 10)?;
    let limit = match input.time_limit_minutes.trim() {
        "" | "0" => None,
        m => Some(number("Batas waktu", m, 1, 600)? * 60),
    };
    if !["highest", "last", "first", "average"].contains(&input.grading_method.as_str()) {
        return Err(AppError::invalid(
            "Nilai yang dihitung",
            "Pilih tertinggi, terakhir, pertama atau rata-rata.",
            "Choose highest, last, first or average.",
        ));
    }
    let txn = db.begin().await?;
    let q = quiz::Entity::find_by_id(quiz_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let mut row: quiz::ActiveModel = q.into();
    row.question_count = Set(count);
    row.pass_mark = Set(pass);
    row.max_attempts = Set(attempts);
    row.time_limit_seconds = Set(limit);
    row.grading_method = Set(input.grading_method.clone());
    row.shuffle_questions = Set(input.shuffle_questions);
    row.shuffle_options = Set(input.shuffle_options);
    row.show_review = Set(input.show_review);
    row.updated_at = Set(Utc::now());
    row.update(&txn).await?;
    let detail = serde_json::json!({ "count": count, "pass": pass, "attempts": attempts, "limit": limit, "method": input.grading_method, "review": input.show_review });
    crate::services::audit::record(
        &txn,
        Some(caller.account_id),
        "quiz.settings",
        "quiz",
        Some(quiz_id.to_string()),
        Some(detail),
    )
    .await?;
    // The pass mark or grading may have changed: every diklat's standings may differ.
    super::stale::mark_all_stale(&txn).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod form_tests {
    use super::draw_form;
    use rand::SeedableRng;
    use std::collections::{BTreeMap, HashSet};

    /// 40 questions, eight per objective (as the banks are written).
    fn pool() -> Vec<(i32, Option<i32>)> {
        (0..40).map(|i| (i, Some(i % 5 + 1))).collect()
    }

    fn per_objective(pool: &[(i32, Option<i32>)], drawn: &[i32]) -> BTreeMap<Option<i32>, usize> {
        let mut out = BTreeMap::new();
        for q in drawn {
            *out.entry(pool.iter().find(|(id, _)| id == q).unwrap().1).or_default() += 1;
        }
        out
    }

    #[test]
    fn two_forms_cover_every_objective_alike_and_the_second_repeats_nothing_of_the_first() {
        let pool = pool();
        for seed in 0..50 {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let first = draw_form(&pool, 10, &HashSet::new(), true, &mut rng);
            let seen: HashSet<i32> = first.iter().copied().collect();
            let second = draw_form(&pool, 10, &seen, true, &mut rng);
            assert_eq!((first.len(), second.len()), (10, 10));
            assert!(second.iter().all(|q| !seen.contains(q)), "seed {seed}");
            for form in [&first, &second] {
                let counts = per_objective(&pool, form);
                assert_eq!(counts.len(), 5, "every objective, seed {seed}: {counts:?}");
                assert!(counts.values().all(|n| *n == 2), "two each, seed {seed}: {counts:?}");
            }
        }
    }

    #[test]
    fn a_form_is_never_padded_with_a_question_already_seen() {
        let pool = pool();
        let seen: HashSet<i32> = (0..35).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let form = draw_form(&pool, 10, &seen, true, &mut rng);
        assert_eq!(form.len(), 5, "only the five unseen ones");
        assert!(form.iter().all(|q| !seen.contains(q)));
    }
}
