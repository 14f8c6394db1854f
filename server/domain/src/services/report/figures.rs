//! The figures of a report page (coverage and learning), cached per area and filter.

use crate::AppError;
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

use super::{
    area::Area,
    coverage::{coverage, Coverage},
    filter::{Filter, Jabatan},
    learning::{learning_per_child, learning_per_module, LearningRow},
};

/// What every report page of an area and filter shows besides its people.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// When they were read: what the page's "data per" says.
    pub computed_at: chrono::DateTime<chrono::Utc>,
    pub coverage: Coverage,
    pub modules: Vec<LearningRow>,
    pub areas: Vec<LearningRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FiguresKey {
    area: Area,
    diklat_id: Option<i32>,
    jabatan: Option<Jabatan>,
    today: NaiveDate,
}

/// Figures, when they were stored, and the epoch they were read at.
pub(super) type Stored = (std::sync::Arc<Figures>, std::time::Instant, u64);

/// The reports' figures by area and filter. A national aggregate reads every standings row
/// (800,000 at national scale, seconds of database work), so:
///   - officials reading the same area share one reading for [`FIGURES_TTL`];
///   - when an entry is older than that, or the standings were rewritten or certificates
///     issued since (`AppState::reports_changed`: every few seconds while anything moves), it
///     is still answered — for up to [`FIGURES_MAX_STALE`] — while one background task reads
///     new figures: a page does not wait for a recomputation, and a hundred officials opening it
///     at once cause one reading;
///   - after a revocation or an expiry change (`AppState::certificates_changed`) everything is
///     dropped, and the next request waits for new figures, as does a page never read: one
///     reading per page however many ask at once.
#[derive(Default)]
pub struct FiguresCache {
    entries: std::sync::Mutex<HashMap<FiguresKey, Stored>>,
    /// Moves on [`FiguresCache::clear`]: figures read before it are not stored.
    generation: std::sync::atomic::AtomicU64,
    refreshing: std::sync::Mutex<std::collections::HashSet<FiguresKey>>,
    /// One turn per key for the requests that must wait for figures.
    turns: std::sync::Mutex<HashMap<FiguresKey, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

pub(super) const FIGURES_CAPACITY: usize = 5000;

/// How long a page's figures are fresh (see [`FiguresCache`]).
pub const FIGURES_TTL: std::time::Duration = std::time::Duration::from_secs(30);
/// How old figures may be answered while new ones are read.
pub const FIGURES_MAX_STALE: std::time::Duration = std::time::Duration::from_secs(120);

pub(super) enum Cached {
    Fresh(std::sync::Arc<Figures>),
    /// Older than the TTL or than the data, but young enough to answer while rereading.
    Stale(std::sync::Arc<Figures>),
}

impl FiguresCache {
    /// The entry for `key`, unless it is too old to answer at all.
    fn lookup(&self, key: &FiguresKey, epoch: u64) -> Option<Cached> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (figures, at, read_at) = entries.get(key)?;
        if *read_at == epoch && at.elapsed() < FIGURES_TTL {
            Some(Cached::Fresh(figures.clone()))
        } else if at.elapsed() < FIGURES_MAX_STALE {
            Some(Cached::Stale(figures.clone()))
        } else {
            None
        }
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Drops every entry (after a revocation, or data written wholesale).
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        entries.clear();
    }

    /// Keeps `figures` read at `epoch`, unless the cache was cleared since `generation`.
    fn store(&self, key: FiguresKey, figures: std::sync::Arc<Figures>, epoch: u64, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if generation != self.generation() {
            return;
        }
        if entries.len() >= FIGURES_CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (figures, std::time::Instant::now(), epoch));
    }
}

pub(super) async fn compute(
    db: &impl ConnectionTrait,
    area: Area,
    filter: &Filter,
    today: NaiveDate,
) -> Result<Figures, AppError> {
    Ok(Figures {
        computed_at: chrono::Utc::now(),
        coverage: coverage(db, area, filter, today).await?,
        modules: learning_per_module(db, area, filter).await?,
        areas: learning_per_child(db, area, filter).await?,
    })
}

/// The coverage and learning figures of `area` under `filter` (status and name do not apply).
pub async fn figures(
    state: &crate::AppState,
    area: Area,
    filter: &Filter,
    today: NaiveDate,
) -> Result<std::sync::Arc<Figures>, AppError> {
    let key = FiguresKey { area, diklat_id: filter.diklat_id, jabatan: filter.jabatan, today };
    let cache = &state.reports;
    let epoch = state.report_epoch.current();
    match cache.lookup(&key, epoch) {
        Some(Cached::Fresh(figures)) => return Ok(figures),
        Some(Cached::Stale(figures)) => {
            let first = cache.refreshing.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone());
            if first {
                let (state, filter) = (state.clone(), filter.clone());
                tokio::spawn(async move {
                    let (epoch, generation) = (state.report_epoch.current(), state.reports.generation());
                    match compute(state.db.read(), area, &filter, today).await {
                        Ok(f) => state.reports.store(key.clone(), std::sync::Arc::new(f), epoch, generation),
                        Err(e) => tracing::warn!("recomputing report figures: {e}"),
                    }
                    state.reports.refreshing.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
                });
            }
            return Ok(figures);
        }
        None => {}
    }
    let turn = {
        let mut turns = cache.turns.lock().unwrap_or_else(|e| e.into_inner());
        if turns.len() >= FIGURES_CAPACITY {
            turns.retain(|_, t| std::sync::Arc::strong_count(t) > 1);
        }
        turns.entry(key.clone()).or_default().clone()
    };
    let _turn = turn.lock().await;
    if let Some(Cached::Fresh(figures) | Cached::Stale(figures)) = cache.lookup(&key, epoch) {
        return Ok(figures);
    }
    let generation = cache.generation();
    let figures = std::sync::Arc::new(compute(state.db.read(), area, filter, today).await?);
    cache.store(key, figures.clone(), epoch, generation);
    Ok(figures)
}
