//! Analytics over the catalog: diffs of control between two dates (or two sources), and the
//! line of contact, point histories, breakdowns by region, and the rule for slivers behind the
//! front.

pub mod agreement;
pub mod diff;
pub mod history;
/// The line of contact is computed below the catalog (the catalog caches it per state); it is
/// re-exported here, beside the other analytics, for callers that look for it there.
pub use crate::index::line;
pub mod regions;
pub mod slivers;
