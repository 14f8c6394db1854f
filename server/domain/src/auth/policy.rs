//! What a new password must be: 8 to 128 characters, not one of the passwords people guess
//! first, and not the person's own phone number or e-mail.

use crate::AppError;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// The most guessed passwords of at least eight characters, global and Indonesian.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "12341234",
    "11111111",
    "00000000",
    "88888888",
    "87654321",
    "11223344",
    "12121212",
    "123123123",
    "147258369",
    "123456788",
    "1234567891",
    "qwertyui",
    "qwertyuiop",
    "qwerty123",
    "1qaz2wsx",
    "zaq12wsx",
    "q1w2e3r4",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "asdfghjkl",
    "asdf1234",
    "abcd1234",
    "abc12345",
    "aaaaaaaa",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "whatever",
    "trustno1",
    "starwars",
    "welcome1",
    "welcome123",
    "admin123",
    "administrator",
    "letmein1",
    "changeme",
    "computer",
    "internet",
    "michelle",
    "jennifer",
    "1234qwer",
    "qwer1234",
    "bismillah",
    "bismillah123",
    "alhamdulillah",
    "assalamualaikum",
    "indonesia",
    "indonesia123",
    "sayangku",
    "sayangkamu",
    "sayang123",
    "cintaku123",
    "rahasia123",
    "rahasiaku",
    "merahputih",
    "merdeka45",
    "koperasi",
    "koperasi123",
    "kkmp2025",
    "kkmp12345",
    "diklat123",
    "diklatkkmp",
    "malang123",
    "aremania",
    "jakarta123",
    "surabaya",
    "garuda123",
    "pancasila",
    "katasandi",
    "katasandi123",
    "sandiku123",
    "bangsat123",
    "anjing123",
];

/// Checks a new password against the policy; the error names the field `sandi`.
pub fn check_new_password(password: &str, own_identifiers: &[&str]) -> Result<(), AppError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(AppError::invalid(
            "sandi",
            format!("Kata sandi minimal {MIN_LEN} karakter"),
            format!("The password must be at least {MIN_LEN} characters"),
        ));
    }
    if len > MAX_LEN {
        return Err(AppError::invalid(
            "sandi",
            format!("Kata sandi paling panjang {MAX_LEN} karakter"),
            format!("The password may be at most {MAX_LEN} characters"),
        ));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) || lower.chars().all(|c| c == lower.chars().next().unwrap_or(' ')) {
        return Err(AppError::invalid(
            "sandi",
            "Kata sandi ini terlalu umum dan mudah ditebak; pilih yang lain",
            "This password is too common and easy to guess; choose another",
        ));
    }
    let digits: String = password.chars().filter(char::is_ascii_digit).collect();
    for id in own_identifiers.iter().filter(|i| !i.is_empty()) {
        let id_lower = id.to_lowercase();
        let id_digits: String = id.chars().filter(char::is_ascii_digit).collect();
        let same_number =
            id_digits.len() >= 8 && digits.len() >= 8 && id_digits.ends_with(&digits[digits.len().saturating_sub(9)..]);
        if lower == id_lower || lower.contains(&id_lower) || same_number {
            return Err(AppError::invalid(
                "sandi",
                "Kata sandi tidak boleh sama dengan nomor HP atau email Anda",
                "The password must not be the same as your phone number or email",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_new_password;

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        assert!(check_new_password("pendek", &[]).is_err());
        assert!(check_new_password("Bismillah", &[]).is_err());
        assert!(check_new_password("zzzzzzzzzz", &[]).is_err());
        assert!(check_new_password("081234560001", &["+6281234560001"]).is_err());
        assert!(check_new_password("rina@demo.test", &["rina@demo.test"]).is_err());
        assert!(check_new_password(&"x".repeat(129), &[]).is_err());
    }

    #[test]
    fn a_long_passphrase_is_accepted() {
        assert!(check_new_password("koperasi kelurahan kami maju bersama", &["+6281234560001"]).is_ok());
        assert!(check_new_password(&"ab".repeat(40), &[]).is_ok());
    }
}
