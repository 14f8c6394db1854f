//! sea-orm entities for the tables the code uses so far. The schema itself (all tables) is
//! owned by the `migrations` crate; an entity is added here when a feature first needs it.

pub mod account;
pub mod attempt;
pub mod attempt_answer;
pub mod attendance;
pub mod attendance_history;
pub mod audit_log;
pub mod auth_session;
pub mod certificate;
pub mod checkin_window;
pub mod cooperative;
pub mod diklat;
pub mod diklat_module;
pub mod diklat_session;
pub mod district;
pub mod enrolment;
pub mod evaluation_answer;
pub mod evaluation_draft;
pub mod evaluation_responder;
pub mod evaluation_setting;
pub mod login_throttle;
pub mod module;
pub mod module_progress;
pub mod narasumber;
pub mod one_time_code;
pub mod person;
pub mod province;
pub mod question;
pub mod question_bank;
pub mod quiz;
pub mod regency;
pub mod role_grant;
pub mod section_progress;
pub mod standing;
pub mod standing_grade;
pub mod village;
