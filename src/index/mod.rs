//! Indexes over the computed control layers: point location ([`locate`]) and the date lookup
//! lives with the catalog's epochs.

pub mod locate;

pub use locate::{Location, PolygonIndex, locate_in_polygon};
