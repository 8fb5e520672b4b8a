//! Analytics over the catalog: diffs of control between two dates (or two sources), and the
//! line of contact.

pub mod diff;
pub mod line;
