pub mod account;
pub mod codes;
pub mod home;
pub mod import;
pub mod login;
pub mod not_found;
pub mod people;
pub mod regions;
