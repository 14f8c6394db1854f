use crate::{content::Content, secret::DataKey, Db};
use std::sync::Arc;

/// What every request handler and server function can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub content: Arc<Content>,
    pub data_key: Arc<DataKey>,
    pub hasher: crate::password::Hasher,
}
