//! `frontline`: dated lines of control against an internationally recognized border.
//!
//! Data flows one way: the geodata directory is read and validated ([`geodata`]), control layers
//! are computed per snapshot ([`coverage`], with WGS84 measures from [`geodesy`]), indexed for
//! point location and date lookup ([`index`]), gathered into an immutable [`catalog::Catalog`],
//! and queried ([`query`]). The CLI (`src/cli`, in the binary) only parses and prints.

#![warn(missing_docs)]

pub mod analytics;
pub mod catalog;
pub mod coverage;
pub mod geodata;
pub mod geodesy;
pub mod http;
pub mod import;
pub mod index;
pub mod live;
pub mod model;
pub mod num;
pub mod output;
pub mod query;
pub mod scenario;
pub mod store;
pub mod sync;
pub mod waters;

pub use catalog::{Catalog, CatalogError};
pub use model::Status;
