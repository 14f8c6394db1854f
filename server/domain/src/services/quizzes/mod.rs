//! Pre-tests and post-tests: banks recorded from content, attempts that live on the server, grading.
//!
//! The attempt's start time and deadline come from the server clock; answers are saved as the
//! participant goes; submitting twice changes nothing; a save or submit after the deadline
//! submits what was saved before it. Correct answers stay on the server until submission.
//!
//! One file per job: [`bank`] (content and GIFT imports), [`questions`] (loading and reading
//! answers), [`attempts`] (starting and finding them), [`grading`], [`review`], [`settings`].

mod attempts;
mod bank;
mod grading;
mod questions;
mod review;
mod settings;

pub use attempts::*;
pub use bank::*;
pub use grading::*;
pub use questions::*;
pub use review::*;
pub use settings::*;
pub use types::Phase;
