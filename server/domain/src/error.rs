use sea_orm::{DbErr, SqlErr};
pub use types::Text;

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
    /// Bad input; `field` names the form field (by its Indonesian label, which the form's
    /// echo matches) or `file:line`; `message` says what is wrong, in both languages.
    #[error("{field}: {message}")]
    Invalid { field: String, message: Text },
    /// A unique constraint said no (e.g. the same NIK twice).
    #[error("{field}: {message}")]
    Conflict { field: String, message: Text },
    /// Past a rate limit: try again after this many seconds.
    #[error("Terlalu banyak permintaan dari alamat ini; coba lagi dalam {seconds} detik.")]
    TooManyRequests { seconds: u64 },
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// Bad input in `field`: what is wrong, in Bahasa Indonesia (`id`) and English (`en`).
    pub fn invalid(field: impl Into<String>, id: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Invalid { field: field.into(), message: Text::new(id, en) }
    }

    /// A clash with what is stored (the same person twice, a room taken), in both languages.
    pub fn conflict(field: impl Into<String>, id: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Conflict { field: field.into(), message: Text::new(id, en) }
    }

    /// Turns a unique-constraint violation into a field error, anything else into `Database`.
    pub fn on_unique(err: DbErr, field: &str, id: &str, en: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::conflict(field, id, en),
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

    /// The sentence shown to the user, in both languages. Server faults get a generic sentence;
    /// their detail goes to the log.
    pub fn public_text(&self) -> Text {
        match self {
            AppError::Database(_) | AppError::Internal(_) => Text::new(
                "Terjadi kesalahan di server. Silakan coba lagi; bila berulang, hubungi panitia.",
                "Something went wrong on the server. Please try again; if it happens again, contact the organisers.",
            ),
            AppError::Invalid { message, .. } | AppError::Conflict { message, .. } => message.clone(),
            AppError::NotFound => Text::new("tidak ditemukan", "not found"),
            AppError::Unauthorized => Text::new("silakan masuk terlebih dahulu", "please sign in first"),
            AppError::Forbidden => Text::new("Anda tidak berhak mengakses ini", "you are not allowed to see this"),
            AppError::TooManyRequests { seconds } => Text::new(
                format!("Terlalu banyak permintaan dari alamat ini; coba lagi dalam {seconds} detik."),
                format!("Too many requests from this address; try again in {seconds} seconds."),
            ),
        }
    }

    /// [`AppError::public_text`] in Bahasa Indonesia.
    pub fn public_message(&self) -> String {
        self.public_text().id
    }
}

/// The one way an error leaves the server: its status and its sentence in both languages as
/// plain text (a server fault logged, with a generic sentence); 429 says when to come back.
impl axum_core::response::IntoResponse for AppError {
    fn into_response(self) -> axum_core::response::Response {
        self.answer(false)
    }
}

impl AppError {
    /// The same answer for an island that asked a form post for data (`Accept:
    /// application/json`): the status, and the sentence as a JSON [`Text`].
    pub fn into_data_response(self) -> axum_core::response::Response {
        self.answer(true)
    }

    fn answer(self, as_data: bool) -> axum_core::response::Response {
        let status = http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!("answered 500: {self:?}");
        }
        let mut response = refusal(status, &self.public_text(), as_data);
        if let AppError::TooManyRequests { seconds } = self {
            response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}

/// How a refusal reads: its status with the sentence in both languages, as plain text for a
/// browser (`id / en`) or as a JSON [`Text`] for an island that asked for data. [`AppError`] and
/// the server's sign-in and role guards both answer through it.
pub fn refusal(status: http::StatusCode, text: &Text, as_data: bool) -> axum_core::response::Response {
    use axum_core::response::IntoResponse;
    if as_data {
        let json = serde_json::to_string(text).expect("two strings serialise");
        (status, [(http::header::CONTENT_TYPE, "application/json")], json).into_response()
    } else {
        (status, format!("{} / {}", text.id, text.en)).into_response()
    }
}
