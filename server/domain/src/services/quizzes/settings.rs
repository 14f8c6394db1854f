//! A quiz's settings, changed by admins and national panitia.

use crate::{entities::quiz, AppError};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionSession, TransactionTrait};

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
    crate::services::stale::mark_all_stale(&txn).await?;
    txn.commit().await?;
    Ok(())
}
