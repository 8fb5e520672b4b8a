//! Indexes over the computed control layers: point location ([`locate`]) and the date lookup
//! lives with the catalog's epochs.

pub mod history;
pub mod line;
pub mod locate;
pub mod slivers;

pub use locate::{Location, PolygonIndex, locate_in_polygon};
