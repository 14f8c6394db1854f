//! Background ZIP downloads (all certificates of a diklat or a kelurahan): a job per request,
//! its progress readable by the page that polls it, its bytes kept for an hour.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// How long a finished ZIP stays downloadable.
pub const KEEP: Duration = Duration::from_secs(3600);

/// One ZIP being built.
pub struct ZipJob {
    /// The account that asked for it: nobody else reads it (see [`ZipJobs::owned`]).
    owner: i32,
    pub title: String,
    /// The file name offered on download.
    pub file_name: String,
    pub total: usize,
    /// Where the progress page links back to.
    pub back: String,
    started: Instant,
    state: Mutex<JobState>,
}

#[derive(Default)]
struct JobState {
    done: usize,
    bytes: Option<Arc<Vec<u8>>>,
    error: Option<String>,
}

/// A snapshot of a job's progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub done: usize,
    pub finished: bool,
    pub error: Option<String>,
}

impl ZipJob {
    fn state(&self) -> std::sync::MutexGuard<'_, JobState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One more file is in.
    pub fn advance(&self) {
        self.state().done += 1;
    }

    pub fn finish(&self, bytes: Vec<u8>) {
        self.state().bytes = Some(Arc::new(bytes));
    }

    pub fn fail(&self, message: String) {
        self.state().error = Some(message);
    }

    pub fn progress(&self) -> Progress {
        let s = self.state();
        Progress { done: s.done, finished: s.bytes.is_some(), error: s.error.clone() }
    }

    /// The finished ZIP.
    pub fn bytes(&self) -> Option<Arc<Vec<u8>>> {
        self.state().bytes.clone()
    }
}

/// The jobs of this server process.
#[derive(Default)]
pub struct ZipJobs {
    jobs: Mutex<HashMap<String, Arc<ZipJob>>>,
}

impl ZipJobs {
    /// Registers a job and returns its unguessable id (128 random bits, hex).
    pub fn start(
        &self,
        owner: i32,
        title: String,
        file_name: String,
        total: usize,
        back: String,
    ) -> (String, Arc<ZipJob>) {
        use rand::RngCore;
        let mut raw = [0u8; 16];
        rand::rng().fill_bytes(&mut raw);
        let id = hex::encode(raw);
        let job = Arc::new(ZipJob {
            owner,
            title,
            file_name,
            total,
            back,
            started: Instant::now(),
            state: Mutex::new(JobState::default()),
        });
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.retain(|_, j| j.started.elapsed() < KEEP);
        jobs.insert(id.clone(), job.clone());
        (id, job)
    }

    /// The job `id` if `account` asked for it (and it is not older than [`KEEP`]); nobody
    /// else's.
    pub fn owned(&self, id: &str, account: i32) -> Option<Arc<ZipJob>> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(id).filter(|j| j.owner == account && j.started.elapsed() < KEEP).cloned()
    }
}
