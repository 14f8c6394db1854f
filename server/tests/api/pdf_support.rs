//! Reading certificate PDFs back: the domain's test helpers, shared by path.
#![allow(dead_code)]

#[path = "../../domain/src/pdf_test_support.rs"]
mod shared;

pub use shared::{pdf_qr, pdf_text};
