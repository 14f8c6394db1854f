use sea_orm::{DbErr, SqlErr};

/// The one error type of the domain. Each variant knows its HTTP status and the sentence a
/// user may see; database details are logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("tidak ditemukan")]
    NotFound,
    #[error("silakan masuk terlebih dahulu")]
    Unauthorized,
    #[error("Anda tidak berhak mengakses ini")]
    Forbidden,
    /// Bad input; `field` names the form field or `file:line`.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A unique constraint said no (e.g. the same NIK twice).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// Past a rate limit: try again after this many seconds.
    #[error("Terlalu banyak permintaan dari alamat ini; coba lagi dalam {seconds} detik.")]
    TooManyRequests { seconds: u64 },
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid { field: field.into(), message: message.into() }
    }

    /// Turns a unique-constraint violation into a field error, anything else into `Database`.
    pub fn on_unique(err: DbErr, field: &str, message: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict { field: field.to_string(), message: message.to_string() }
            }
            _ => AppError::Database(err),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::Invalid { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Database(_) | AppError::Internal(_) => 500,
        }
    }

    /// The sentence shown to the user (Bahasa Indonesia). Server faults get a generic sentence;
    /// their detail goes to the log.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Database(_) | AppError::Internal(_) => {
                "Terjadi kesalahan di server. Silakan coba lagi; bila berulang, hubungi panitia.".to_string()
            }
            AppError::Invalid { message, .. } | AppError::Conflict { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}
