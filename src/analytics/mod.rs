//! Analytics over the catalog: diffs of control between two dates (or two sources), and the
//! line of contact, point histories, breakdowns by region, and the rule for slivers behind the
//! front.

pub mod diff;
pub mod history;
pub mod line;
pub mod regions;
pub mod slivers;
