//! Analytics over the catalog: diffs of control between two dates (or two sources).

pub mod diff;
