//! The participants' evaluation of a diklat: its organisation (one form per diklat) and each
//! narasumber (one form per session attended). Forms come from `content/evaluasi`
//! ([`crate::evaluation`]).
//!
//! Anonymity: who has responded (`evaluation_responders`) and what was answered
//! (`evaluation_answers`) are written in one transaction but share nothing a query could join
//! them on: the answers carry no person, no time and a random id, and drafts (which do name their
//! author) are deleted on submission. Reports show a group's figures and open answers only when
//! at least `min_group` answers make them up.
//!
//! One file per job: the forms a diklat asks for and who still owes them ([`settings`]),
//! [`answering`] them, and the [`figures`].

mod answering;
mod figures;
mod settings;

pub use answering::*;
pub use figures::*;
pub use settings::*;
