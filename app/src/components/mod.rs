pub mod autosave;
pub mod busy;
pub mod form_post;
pub mod layout;
pub mod print;
pub mod raw_text;
pub mod reading;
pub mod status;
