//! Certificates: the completion rule of a diklat and where each participant stands against it.
//!
//! The rule: attendance of at least the diklat's minimum (default 80 %, never below the
//! deployment's floor; counting the statuses the diklat counts as present — H and T by default)
//! over **all** its sessions (sessions still to come count as not yet attended), the post-test
//! passed of every module the diklat teaches (`windows::modules_of`: its rule's list, or the
//! modules of its sessions), taken for this diklat within its window, and — when the diklat asks
//! for it — those modules' pre-tests taken. No certificate is issued before the last session has
//! ended, unless an exception was recorded (who allowed it and why).
//!
//! One file per job: the [`rule`] and standings, the signed [`payload`], [`issue`], [`verify`] and
//! lookups, and [`changes`] after issue (revocation, expiry).

mod changes;
mod issue;
mod payload;
mod rule;
mod verify;

pub use changes::*;
pub use issue::*;
pub use payload::*;
pub use rule::*;
pub use verify::*;
