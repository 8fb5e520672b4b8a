//! Analytics over the catalog: diffs of control between two dates (or two sources), and the
//! line of contact, point histories, breakdowns by region.

pub mod diff;
pub mod history;
pub mod line;
pub mod regions;
