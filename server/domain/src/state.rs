use crate::{
    auth::Caller,
    cache::{Epoch, TtlCache},
    content::Content,
    secret::DataKey,
    services::progress::Reading,
    Db,
};
use std::{collections::HashMap, sync::Arc, time::Duration};

/// How long a cached sign-in (caller) may be reused. Changes made by this process drop it at
/// once; the time only bounds what another server sharing the database could leave stale.
pub const SIGN_IN_CACHE_TTL: Duration = Duration::from_secs(10);
/// How long a cached reading progress may be reused (same reasoning).
pub const PROGRESS_CACHE_TTL: Duration = Duration::from_secs(30);
const CACHE_CAPACITY: usize = 100_000;

/// What every request handler and server function can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub content: Arc<Content>,
    /// Each loaded module's row id, by slug (recorded at start-up).
    pub module_ids: Arc<HashMap<String, i32>>,
    /// Each module's current question bank as recorded in the database, by slug.
    pub banks: Arc<HashMap<String, crate::services::quizzes::LoadedBank>>,
    pub data_key: Arc<DataKey>,
    /// Signs certificates; its public half is published (`/.well-known/diklat-kkmp-keys.json`).
    pub certificate_key: Arc<crate::signing::CertificateKey>,
    /// Parsed questions (rows that never change), for drawing and grading without a query.
    pub questions: Arc<crate::services::quizzes::QuestionCache>,
    pub hasher: crate::password::Hasher,
    /// Bumped whenever accounts, roles, passwords or sessions change: drops every cached sign-in.
    pub auth_epoch: Epoch,
    pub callers: Arc<TtlCache<i32, Caller>>,
    /// (person id, module id) → what they have read.
    pub readings: Arc<TtlCache<(i32, i32), Arc<Reading>>>,
    /// Certificates by verification code (what `/verifikasi` and the API read).
    pub verifications: Arc<crate::services::certificates::VerificationCache>,
    /// Bumped when a certificate is revoked or its expiry changes: drops every cached
    /// verification (and the cached verification pages, which share it).
    pub certificate_epoch: Epoch,
    /// The reports' figures per area and filter (see `services::report::figures`).
    pub reports: Arc<crate::services::report::FiguresCache>,
    /// Bumped when the standings summary is rewritten or a certificate changes.
    pub report_epoch: Epoch,
    /// Verifications (API, server function, uncached page) one client address may make per
    /// minute, counted in the database (`auth::throttle::hit`); 0 turns the limit off.
    pub verify_rate_per_minute: u32,
    /// The lowest minimum attendance (%) a completion rule may set (`--min-attendance-floor`).
    pub attendance_floor: i32,
    /// The fewest answers an evaluation figure is shown for (`DIKLAT_EVALUATION_MIN_GROUP`).
    pub evaluation_min_group: usize,
}

impl AppState {
    pub fn new(
        db: Db,
        content: Content,
        module_ids: HashMap<String, i32>,
        banks: HashMap<String, crate::services::quizzes::LoadedBank>,
        data_key: DataKey,
    ) -> AppState {
        let auth_epoch = Epoch::default();
        let certificate_epoch = Epoch::default();
        let report_epoch = Epoch::default();
        AppState {
            db,
            content: Arc::new(content),
            module_ids: Arc::new(module_ids),
            banks: Arc::new(banks),
            // Replaced at start-up by the key in the data folder.
            certificate_key: Arc::new(crate::signing::CertificateKey::from_secret(rand_secret())),
            data_key: Arc::new(data_key),
            questions: Default::default(),
            hasher: Default::default(),
            callers: Arc::new(TtlCache::new(SIGN_IN_CACHE_TTL, CACHE_CAPACITY, auth_epoch.clone())),
            readings: Arc::new(TtlCache::new(PROGRESS_CACHE_TTL, CACHE_CAPACITY, Epoch::default())),
            verifications: Arc::new(TtlCache::new(
                crate::services::certificates::VERIFICATION_CACHE_TTL,
                CACHE_CAPACITY,
                certificate_epoch.clone(),
            )),
            certificate_epoch,
            reports: Default::default(),
            report_epoch,
            auth_epoch,
            verify_rate_per_minute: 60,
            attendance_floor: 50,
            evaluation_min_group: 5,
        }
    }

    /// The modules that have tests, as (module id, title): what a diklat's completion rule covers.
    pub fn quiz_modules(&self) -> Vec<(i32, String)> {
        self.content
            .modules
            .iter()
            .filter(|m| m.bank.is_some())
            .filter_map(|m| self.module_ids.get(&m.meta.slug).map(|id| (*id, m.meta.title.clone())))
            .collect()
    }

    /// Call after the standings summary was rewritten or certificates were issued.
    pub fn reports_changed(&self) {
        self.report_epoch.bump();
    }

    /// Call after a certificate is revoked or its expiry changes.
    pub fn certificates_changed(&self) {
        self.certificate_epoch.bump();
        self.reports.clear();
    }

    /// Call after any change to accounts, role grants, passwords or sessions.
    pub fn auth_changed(&self) {
        self.auth_epoch.bump();
    }

    /// The signed-in caller of `account_id` (cached), or `None` for a disabled or removed account.
    pub async fn caller(&self, account_id: i32) -> Result<Option<Caller>, crate::AppError> {
        if let Some(caller) = self.callers.get(&account_id) {
            return Ok(Some(caller));
        }
        let epoch = self.callers.epoch();
        let caller = crate::auth::load_caller(self.db.read(), account_id).await?;
        if let Some(c) = &caller {
            self.callers.insert_at(account_id, c.clone(), epoch);
        }
        Ok(caller)
    }

    /// What `person_id` has read of `module` (cached).
    pub async fn reading(&self, person_id: i32, module_id: i32) -> Result<Arc<Reading>, crate::AppError> {
        let key = (person_id, module_id);
        if let Some(r) = self.readings.get(&key) {
            return Ok(r);
        }
        let epoch = self.readings.epoch();
        let reading = Arc::new(crate::services::progress::of_module(self.db.read(), person_id, module_id).await?);
        self.readings.insert_at(key, reading.clone(), epoch);
        Ok(reading)
    }

    /// Marks a section read and refreshes the cache with the result.
    pub async fn mark_read(&self, person_id: i32, slug: &str, anchor: &str) -> Result<Arc<Reading>, crate::AppError> {
        let (module, module_id) = self.module(slug).ok_or(crate::AppError::NotFound)?;
        let epoch = self.readings.epoch();
        self.readings.invalidate(&(person_id, module_id));
        let reading = Arc::new(
            crate::services::progress::mark_read(self.db.write(), person_id, module_id, module, anchor).await?,
        );
        self.readings.insert_at((person_id, module_id), reading.clone(), epoch);
        Ok(reading)
    }

    /// Counts one certificate verification by `client`; `Err(seconds)` when that address is
    /// past `verify_rate_per_minute`. Machines (the JSON API, the verification server function
    /// called directly) share one budget per address; pages people open have their own, so a
    /// person is not locked out by their office's machine (`page`).
    pub async fn verification_allowed(&self, client: &str, page: bool) -> Result<Result<(), u64>, crate::AppError> {
        if self.verify_rate_per_minute == 0 {
            return Ok(Ok(()));
        }
        let key = format!("{}:{client}", if page { "verif-page" } else { "verif" });
        crate::auth::throttle::hit(self.db.write(), &key, self.verify_rate_per_minute, chrono::Utc::now()).await
    }

    /// A loaded module and its row id.
    pub fn module(&self, slug: &str) -> Option<(&crate::content::Module, i32)> {
        let module = self.content.module(slug)?;
        Some((module, *self.module_ids.get(slug)?))
    }
}

fn rand_secret() -> [u8; 32] {
    use rand::RngCore;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    secret
}
