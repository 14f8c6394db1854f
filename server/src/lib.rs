//! The `diklat` server: configuration, start-up, the axum router (pages, server functions,
//! REST/JSON endpoints) and the CLI sub-commands.

pub mod certificates;
pub mod cli;
pub mod config;
pub mod routes;
pub mod session;
pub mod startup;

pub use config::Config;
pub use startup::{Application, StartupError};
