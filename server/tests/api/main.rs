//! Integration tests: the real application on port 0, a fresh database per test, HTTP.
//!
//! Every test that touches the database runs on SQLite and, when `TEST_DATABASE_URL` points at
//! a PostgreSQL server, on PostgreSQL too (a fresh database per test, dropped afterwards).

mod helpers;

mod auth;
mod backup;
mod bursts;
mod certificates;
mod codes;
mod database;
mod downloads;
mod evaluation;
mod health;
mod import;
mod limits;
mod logs;
mod modules;
mod one_process;
mod pages;
mod pdf_support;
mod people;
mod permissions;
mod plans;
mod pools;
mod progress;
mod quiz;
mod report;
mod roles;
mod rules;
mod safe_methods;
mod schedule;
mod startup;
