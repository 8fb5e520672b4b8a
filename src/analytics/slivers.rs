//! Slivers and specks behind the front: the rule is computed below the catalog, with the layers
//! of each state ([`crate::index::slivers`], documented there); re-exported here beside the other
//! analytics.

pub use crate::index::slivers::*;
