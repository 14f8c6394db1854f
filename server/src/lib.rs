//! The `diklat` server: configuration, start-up, the axum router (pages, server functions,
//! REST/JSON endpoints) and the CLI sub-commands.

pub mod backup;
pub mod certificates;
pub mod cli;
pub mod config;
pub mod logging;
pub mod routes;
pub mod session;
pub mod startup;

pub use config::Config;
pub use startup::{Application, StartupError};
