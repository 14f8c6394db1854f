//! Questions as an attempt needs them: loaded (and cached), and answers read from a form.

use super::bank::StoredData;
use crate::{
    entities::{attempt, attempt_answer, question},
    quiz::{Key, Kind, Response},
    AppError,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
