//! Password hashing with Argon2id at OWASP's parameters (19 MiB, t=2, p=1).
//! Callers on the async runtime run these in `spawn_blocking`: a hash takes tens of ms.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
pub fn hash(password: &str) -> String {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes is a valid salt");
    hasher().hash_password(password.as_bytes(), &salt).expect("argon2 hashing does not fail").to_string()
}

/// Checks a password against a PHC string; false for a malformed hash.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Runs Argon2 on the blocking pool, at most one computation per core at a time (each takes
/// ~19 MiB and a core), so a storm of sign-ins queues here instead of starving other requests.
/// One per application (in [`crate::AppState`]), never a process-wide static: test servers and
/// their runtimes must not share permits.
#[derive(Clone, Debug)]
pub struct Hasher {
    limit: std::sync::Arc<tokio::sync::Semaphore>,
    /// Argon2 verifications run, real or dummy: what makes an unknown account take as long as a
    /// known one, counted so a test can see it happen.
    verifications: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for Hasher {
    fn default() -> Self {
        let permits = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hasher { limit: std::sync::Arc::new(tokio::sync::Semaphore::new(permits)), verifications: Default::default() }
    }
}

/// A hash of a random password, to verify against when there is no account: the work is the same.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&hex::encode(rand::random::<[u8; 16]>())))
}

impl Hasher {
    /// [`verify`] behind the limit. `None` verifies against a dummy hash and returns false,
    /// taking the same time.
    pub async fn verify(&self, password: String, phc: Option<String>) -> bool {
        let Ok(_permit) = self.limit.acquire().await else { return false };
        self.verifications.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::task::spawn_blocking(move || match phc {
            Some(phc) => verify(&password, &phc),
            None => {
                let _ = verify(&password, dummy_hash());
                false
            }
        })
        .await
        .unwrap_or(false)
    }

    /// How many verifications (real or against the dummy hash) this hasher has run.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// [`hash`] behind the limit.
    pub async fn hash(&self, password: String) -> Result<String, crate::AppError> {
        let _permit = self.limit.acquire().await.map_err(|e| crate::AppError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || hash(&password)).await.map_err(|e| crate::AppError::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let phc = super::hash("rahasia-koperasi");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify("rahasia-koperasi", &phc));
        assert!(!super::verify("rahasia-koperasi!", &phc));
        assert!(!super::verify("x", "not a hash"));
    }
}
