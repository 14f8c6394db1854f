//! One-time sign-in codes: panitia hand one to a participant (printed per kelurahan, or sent
//! by WhatsApp); the participant uses it once to set their own password. The same mechanism
//! resets a forgotten password. Only a keyed hash of each code is stored (HMAC under the data
//! key): 40 bits are few enough to try them all against a leaked plain hash, not without the key.

use super::{ids::LoginId, policy, throttle, Caller, Role};
use crate::{
    entities::{account, one_time_code, person},
    password,
    secret::DataKey,
    services::audit,
    AppError,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

/// Codes expire after a week: long enough to reach someone through the kelurahan.
pub const VALID_DAYS: i64 = 7;
/// At most this many codes in one batch.
pub const MAX_BATCH: usize = 500;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A code as handed out: `XXXX-XXXX`, 40 random bits in Crockford base32.
pub fn new_code() -> String {
    let bytes: [u8; 5] = rand::random();
    let mut bits: u64 = 0;
    for b in bytes {
        bits = (bits << 8) | u64::from(b);
    }
    let chars: String = (0..8).rev().map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// Upper-cases, drops separators and maps the letters people confuse (O→0, I/L→1).
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// What is stored for a code: HMAC-SHA-256 of its normalised form under the data key.
pub fn hash_of(key: &DataKey, code: &str) -> String {
    hex::encode(key.mac("one-time-code", normalise(code).as_bytes()))
}

/// What earlier versions stored (plain SHA-256), so codes already handed out keep working until
/// they expire (`VALID_DAYS` after issue).
fn unkeyed_hash_of(code: &str) -> String {
    hex::encode(Sha256::digest(normalise(code).as_bytes()))
}

/// A code just issued, for the printable list. Shown once; never stored in clear.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IssuedCode {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub village: String,
    pub district: String,
    pub code: String,
    pub reset: bool,
}

/// Issues a fresh code for each person (replacing any unused earlier code). The caller must be
/// allowed to manage every one of them (`people::manageable`: a panitia only plain participants
/// of their region, an admin only accounts whose every role lies inside theirs).
pub async fn issue<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    key: &DataKey,
    caller: &Caller,
    person_ids: &[i32],
    now: DateTime<Utc>,
) -> Result<(Vec<IssuedCode>, DateTime<Utc>), AppError> {
    caller.require_any(&[Role::Panitia, Role::Admin])?;
    if person_ids.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "peserta",
            format!("Paling banyak {MAX_BATCH} kode sekali buat"),
            format!("At most {MAX_BATCH} codes at a time"),
        ));
    }
    let expires = now + Duration::days(VALID_DAYS);
    let txn = db.begin().await?;
    let mut issued = Vec::new();
    for id in person_ids {
        let (p, place) = match crate::services::people::manageable(&txn, caller, *id).await {
            Ok(found) => found,
            Err(AppError::NotFound) => return Err(AppError::Forbidden),
            Err(e) => return Err(e),
        };
        let (v, d) = (place.village, place.district);
        let a = account::Entity::find()
            .filter(account::Column::PersonId.eq(p.id))
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        // Earlier unused codes stop working: only the newest printed code counts.
        one_time_code::Entity::update_many()
            .col_expr(one_time_code::Column::ExpiresAt, Expr::value(now))
            .filter(one_time_code::Column::AccountId.eq(a.id))
            .filter(one_time_code::Column::UsedAt.is_null())
            .filter(one_time_code::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        let reset = a.password_hash.is_some();
        let code = new_code();
        one_time_code::ActiveModel {
            account_id: Set(a.id),
            code_hash: Set(hash_of(key, &code)),
            purpose: Set(if reset { "reset" } else { "first_login" }.into()),
            created_by: Set(Some(caller.account_id)),
            created_at: Set(now),
            expires_at: Set(expires),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            Some(caller.account_id),
            if reset { "auth.reset_code" } else { "auth.first_login_code" },
            "account",
            Some(a.id.to_string()),
            None,
        )
        .await?;
        issued.push(IssuedCode {
            name: p.full_name,
            phone: p.phone.as_deref().map(super::ids::local_phone),
            email: p.email,
            village: v.name,
            district: d.name,
            code,
            reset,
        });
    }
    txn.commit().await?;
    issued.sort_by(|a, b| (&a.district, &a.village, &a.name).cmp(&(&b.district, &b.village, &b.name)));
    Ok((issued, expires))
}

/// What a person types to redeem a code, and the address it came from.
pub struct Redemption<'a> {
    pub login: &'a str,
    pub code: &'a str,
    pub new_password: &'a str,
    pub client: &'a str,
}

/// Sets a password with a one-time code. The code must belong to the account behind `login`,
/// be unused and unexpired. Attempts count against the address like sign-in failures.
/// Returns the account id; every other session of the account is ended.
pub async fn redeem<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    key: &DataKey,
    hasher: &password::Hasher,
    typed: Redemption<'_>,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let Redemption { login, code, new_password, client } = typed;
    let ip_key = format!("aktivasi:{client}");
    // Counted before the code is looked up, so a burst of guesses waits its turn.
    let attempt = match throttle::begin(db, &ip_key, throttle::CODES, now).await? {
        Ok(attempt) => attempt,
        Err(refused) => return Err(too_many_codes(refused.minutes())),
    };
    let refused = || {
        AppError::invalid(
            "kode",
            "Kode atau nomor HP/email tidak cocok, atau kode sudah tidak berlaku.",
            "The code and phone number/email do not match, or the code is no longer valid.",
        )
    };
    let found = match find_redeemable(db, key, login, code, now).await {
        Ok(found) => found,
        Err(e) => {
            attempt.cancelled(db, now).await?;
            return Err(e);
        }
    };
    let Some((row, account, person)) = found else {
        return Err(match attempt.failed(db, now).await? {
            Some(minutes) => too_many_codes(minutes),
            None => refused(),
        });
    };
    attempt.succeeded(db, now, false).await?;
    let ids: Vec<&str> = [person.phone.as_deref(), person.email.as_deref()].into_iter().flatten().collect();
    policy::check_new_password(new_password, &ids)?;
    let hash = hasher.hash(new_password.to_string()).await?;

    let txn = db.begin().await?;
    // Mark the code used only if nobody used it meanwhile: a code works once.
    let claimed = one_time_code::Entity::update_many()
        .col_expr(one_time_code::Column::UsedAt, Expr::value(now))
        .filter(one_time_code::Column::Id.eq(row.id))
        .filter(one_time_code::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(refused());
    }
    let account_id = account.id;
    let mut active = account.into_active_model();
    active.password_hash = Set(Some(hash));
    active.password_changed_at = Set(Some(now));
    active.update(&txn).await?;
    super::end_all_sessions(&txn, account_id).await?;
    audit::record(
        &txn,
        Some(account_id),
        &format!("auth.{}_redeemed", row.purpose),
        "account",
        Some(account_id.to_string()),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(account_id)
}

fn too_many_codes(minutes: i64) -> AppError {
    AppError::invalid(
        "kode",
        format!("Terlalu banyak percobaan. Coba lagi dalam {minutes} menit."),
        format!("Too many attempts. Try again in {minutes} minutes."),
    )
}

/// The unused, unexpired code typed, with its active account and person, when it belongs to
/// the account behind `login`.
async fn find_redeemable<C: ConnectionTrait>(
    db: &C,
    key: &DataKey,
    login: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<(one_time_code::Model, account::Model, person::Model)>, AppError> {
    let row = one_time_code::Entity::find()
        .filter(one_time_code::Column::CodeHash.is_in([hash_of(key, code), unkeyed_hash_of(code)]))
        .one(db)
        .await?;
    let account = match &row {
        Some(r) => account::Entity::find_by_id(r.account_id).one(db).await?,
        None => None,
    };
    let person = match &account {
        Some(a) => person::Entity::find_by_id(a.person_id).one(db).await?,
        None => None,
    };
    let matches_login = match (LoginId::parse(login), &person) {
        (Ok(LoginId::Phone(p)), Some(person)) => person.phone.as_deref() == Some(p.as_str()),
        (Ok(LoginId::Email(e)), Some(person)) => person.email.as_deref() == Some(e.as_str()),
        _ => false,
    };
    let usable = row.as_ref().is_some_and(|r| r.used_at.is_none() && r.expires_at > now)
        && account.as_ref().is_some_and(|a| a.is_active)
        && matches_login;
    Ok(match (row, account, person, usable) {
        (Some(row), Some(account), Some(person), true) => Some((row, account, person)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_crockford_characters_and_forgive_common_misreadings() {
        let c = new_code();
        assert_eq!(c.len(), 9);
        assert!(c.chars().all(|ch| ch == '-' || ALPHABET.contains(&(ch as u8))), "{c}");
        assert_eq!(normalise("ab1o-il2z"), "AB10112Z");
        assert_eq!(normalise("o0il-OIL1"), "00110111");
        let key = DataKey::for_test([3; 32]);
        assert_eq!(hash_of(&key, "abcd-efgh"), hash_of(&key, "ABCDEFGH"));
    }

    #[test]
    fn a_stored_code_hash_cannot_be_recomputed_without_the_data_key() {
        let (key, other) = (DataKey::for_test([3; 32]), DataKey::for_test([4; 32]));
        assert_ne!(hash_of(&key, "ABCD-EFGH"), hash_of(&other, "ABCD-EFGH"));
        assert_ne!(hash_of(&key, "ABCD-EFGH"), unkeyed_hash_of("ABCD-EFGH"));
    }
}
