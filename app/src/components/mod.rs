pub mod autosave;
pub mod busy;
pub mod layout;
pub mod reading;
pub mod status;
