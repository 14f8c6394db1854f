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

/// At most this many Argon2 computations run at once (each takes ~19 MiB and a core), so a
/// storm of sign-ins queues here instead of starving every other request.
fn limiter() -> &'static tokio::sync::Semaphore {
    static LIMIT: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    LIMIT.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// A hash of a random password, to verify against when there is no account: the work is the same.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&hex::encode(rand::random::<[u8; 16]>())))
}

/// [`verify`] on the blocking pool behind the limiter. `None` verifies against a dummy hash and
/// returns false, taking the same time.
pub async fn verify_limited(password: String, phc: Option<String>) -> bool {
    let _permit = limiter().acquire().await.expect("the limiter is never closed");
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

/// [`hash`] on the blocking pool behind the limiter.
pub async fn hash_limited(password: String) -> String {
    let _permit = limiter().acquire().await.expect("the limiter is never closed");
    tokio::task::spawn_blocking(move || hash(&password)).await.expect("hashing does not panic")
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
