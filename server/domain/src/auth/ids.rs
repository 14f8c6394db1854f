//! Parse, don't validate: phone numbers, e-mail addresses, sign-in identifiers.

use crate::AppError;
use std::fmt;

/// An Indonesian mobile number in E.164 form (`+628…`). Accepts `08…`, `+628…`, `628…`, with
/// spaces, dots, dashes or brackets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<PhoneNumber, AppError> {
        let invalid = || {
            AppError::invalid(
                "no_hp",
                format!("`{}` bukan nomor HP Indonesia yang sah (contoh: 0812 3456 7890)", input.trim()),
                format!("`{}` is not a valid Indonesian mobile number (example: 0812 3456 7890)", input.trim()),
            )
        };
        let trimmed = input.trim();
        let plus = trimmed.starts_with('+');
        let mut digits = String::new();
        for c in trimmed.chars().skip(usize::from(plus)) {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(invalid()),
            }
        }
        let national = if let Some(rest) = digits.strip_prefix("62") {
            rest.to_string()
        } else if let Some(rest) = digits.strip_prefix('0').filter(|_| !plus) {
            rest.to_string()
        } else {
            return Err(invalid());
        };
        // Mobile numbers: 8 followed by 8–11 digits.
        if !national.starts_with('8') || !(9..=12).contains(&national.len()) {
            return Err(invalid());
        }
        Ok(PhoneNumber(format!("+62{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The way people write it: `081234560001`.
    pub fn local(&self) -> String {
        local_phone(&self.0)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A lower-cased e-mail address with one `@`, a local part and a dotted domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, AppError> {
        let e = input.trim().to_lowercase();
        let valid = e.len() <= 254
            && !e.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(e.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if valid {
            Ok(Email(e))
        } else {
            Err(AppError::invalid(
                "email",
                format!("`{}` bukan alamat email yang sah", input.trim()),
                format!("`{}` is not a valid email address", input.trim()),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a person types in the sign-in form: a phone number or an e-mail address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginId {
    Phone(PhoneNumber),
    Email(Email),
}

impl LoginId {
    pub fn parse(input: &str) -> Result<LoginId, AppError> {
        if input.contains('@') {
            Email::parse(input).map(LoginId::Email)
        } else {
            PhoneNumber::parse(input).map(LoginId::Phone)
        }
        .map_err(|_| {
            AppError::invalid(
                "login",
                "Isi nomor HP (08…) atau alamat email",
                "Enter a phone number (08…) or an email address",
            )
        })
    }

    /// The key rate limiting uses for this identifier, whether or not an account exists.
    pub fn throttle_key(&self) -> String {
        match self {
            LoginId::Phone(p) => format!("login:{}", p.as_str()),
            LoginId::Email(e) => format!("login:{}", e.as_str()),
        }
    }
}

/// NIK-KTP: 16 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nik(String);

impl Nik {
    pub fn parse(input: &str) -> Result<Nik, AppError> {
        let n: String = input.trim().chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        if n.len() == 16 && n.chars().all(|c| c.is_ascii_digit()) {
            Ok(Nik(n))
        } else {
            Err(AppError::invalid(
                "nik",
                format!("NIK harus 16 angka (tertulis: `{}`)", input.trim()),
                format!("The NIK must be 16 digits (entered: `{}`)", input.trim()),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored E.164 number (`+62812…`) the way people write it (`0812…`); others unchanged.
pub fn local_phone(stored: &str) -> String {
    stored.strip_prefix("+62").map(|n| format!("0{n}")).unwrap_or_else(|| stored.to_string())
}

/// `3573••••••••0012`: the first four and last four digits only.
pub fn mask_nik(nik: &str) -> String {
    if nik.len() < 8 || !nik.is_ascii() {
        return "••••".to_string();
    }
    format!("{}{}{}", &nik[..4], "•".repeat(nik.len() - 8), &nik[nik.len() - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_in_every_common_form_normalise_to_e164() {
        for input in [
            "081234560001",
            "+6281234560001",
            "6281234560001",
            "0812-3456-0001",
            " 0812 3456 0001 ",
            "(0812) 3456.0001",
        ] {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), "+6281234560001", "{input}");
        }
        assert_eq!(PhoneNumber::parse("081234560001").unwrap().local(), "081234560001");
    }

    #[test]
    fn landlines_short_numbers_and_foreign_numbers_are_refused() {
        for input in ["0341551234", "0812", "+4412345678901", "08123456000112345", "0812abc34567", "", "+08123456789"] {
            assert!(PhoneNumber::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn a_login_is_an_email_when_it_has_an_at_sign() {
        assert_eq!(LoginId::parse(" Panitia@Demo.Test ").unwrap(), LoginId::Email(Email("panitia@demo.test".into())));
        assert!(matches!(LoginId::parse("081234560001").unwrap(), LoginId::Phone(_)));
        assert!(LoginId::parse("bukan@").is_err());
    }

    #[test]
    fn a_nik_is_sixteen_digits_and_is_shown_masked() {
        assert_eq!(Nik::parse("3573 0101 9000 0012").unwrap().as_str(), "3573010190000012");
        assert!(Nik::parse("357301019000001").is_err());
        assert!(Nik::parse("35730101900000AB").is_err());
        assert_eq!(mask_nik("3573010190000012"), "3573••••••••0012");
    }
}
