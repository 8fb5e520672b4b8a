//! How answers are written: the provenance shape every answer carries ([`provenance`]) and the
//! GeoJSON geometry writer ([`geojson`]). Sits above the catalog and below the analytics and
//! queries that build answers, so that none of them reaches into another for a shared shape.

pub mod geojson;
pub mod provenance;
