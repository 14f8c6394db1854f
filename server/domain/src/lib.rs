//! Diklat KKMP's domain: the database (SQLite or PostgreSQL), entities, services, content.
//!
//! Both the Leptos server functions (`app`, feature `ssr`) and the axum binary (`server`) call
//! the services here, so each query is written once. Nothing here is compiled to wasm.

pub mod auth;
pub mod bank_check;
pub mod cache;
pub mod certcode;
pub mod content;
pub mod content_error;
pub mod dataset;
pub mod db;
pub mod demo;
pub mod entities;
pub mod error;
pub mod evaluation;
pub mod gift;
pub mod ics;
pub mod password;
pub mod pdf;
pub mod qr;
pub mod quiz;
pub mod render;
pub mod secret;
pub mod services;
pub mod signing;
pub mod state;

pub use db::{Backend, Db};
pub use error::AppError;
pub use state::AppState;
