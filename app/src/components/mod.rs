pub mod busy;
pub mod layout;
pub mod status;
pub mod reading;
