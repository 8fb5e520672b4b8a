//! Query-string parameters, strictly: unknown, duplicated, missing, non-numeric, non-finite
//! (`inf`, `NaN`, `1e400`) and out-of-range values are each a precise 400.

use super::problem::Problem;
use chrono::NaiveDate;

/// The parsed parameters of one request.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses a raw query string, refusing parameters not in `allowed` and repeated ones.
    pub fn parse(raw: &str, allowed: &[&str]) -> Result<Params, Problem> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            if !allowed.contains(&k.as_ref()) {
                return Err(Problem::parameter(
                    &k,
                    if allowed.is_empty() {
                        format!("unknown parameter '{k}'; this route takes no query parameters")
                    } else {
                        format!("unknown parameter '{k}'; allowed: {}", allowed.join(", "))
                    },
                ));
            }
            if pairs.iter().any(|(x, _)| *x == k) {
                return Err(Problem::parameter(
                    &k,
                    format!("parameter '{k}' is given more than once"),
                ));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Params { pairs })
    }

    /// The value of an optional parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of a required parameter.
    pub fn required(&self, name: &str) -> Result<&str, Problem> {
        self.get(name)
            .ok_or_else(|| Problem::parameter(name, format!("parameter '{name}' is required")))
    }

    /// A finite number within `[lo, hi]`.
    pub fn number(&self, name: &str, value: &str, lo: f64, hi: f64) -> Result<f64, Problem> {
        number(name, value, lo, hi)
    }

    /// A required `lon` in [-180, 180] and `lat` in [-90, 90].
    pub fn lon_lat(&self) -> Result<crate::model::LonLat, Problem> {
        let (lon, lat) = (self.required("lon")?, self.required("lat")?);
        Ok(crate::model::LonLat::parse(lon, lat)?)
    }

    /// A date parameter, `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, Problem> {
        self.get(name)
            .map(|v| crate::model::parse_date(v).map_err(|e| Problem::parameter(name, format!("{name}: {e}"))))
            .transpose()
    }

    /// An optional boolean parameter: `true` or `false` (absent: false).
    pub fn flag(&self, name: &str) -> Result<bool, Problem> {
        match self.get(name) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(v) => Err(Problem::parameter(name, format!("{name} '{v}' must be true or false"))),
        }
    }

    /// `date` (`YYYY-MM-DD`: the last publication of that day in the source's time zone) or
    /// `datetime` (an RFC 3339 instant: as published at that instant), one of them, or `None`.
    pub fn when(&self) -> Result<Option<crate::model::When>, Problem> {
        self.when_of("date", "datetime")
    }

    /// [`Self::when`] for another pair of parameters (`from` or `from_datetime`, ...).
    pub fn when_of(&self, date: &str, datetime: &str) -> Result<Option<crate::model::When>, Problem> {
        use crate::model::When;
        match (self.date(date)?, self.get(datetime)) {
            (Some(_), Some(_)) => Err(Problem::parameter(
                datetime,
                format!("give either {date} or {datetime}, not both"),
            )),
            (Some(d), None) => Ok(Some(When::Date(d))),
            (None, Some(t)) => crate::model::parse_instant(t)
                .map(|t| Some(When::Instant(t)))
                .map_err(|e| Problem::parameter(datetime, format!("{datetime}: {e}"))),
            (None, None) => Ok(None),
        }
    }

    /// [`Self::when_of`], required.
    pub fn required_when_of(&self, date: &str, datetime: &str) -> Result<crate::model::When, Problem> {
        self.when_of(date, datetime)?.ok_or_else(|| {
            Problem::parameter(
                date,
                format!("parameter '{date}' is required (YYYY-MM-DD), or '{datetime}' (an RFC 3339 instant)"),
            )
        })
    }

    /// `known_at` (an RFC 3339 instant: answer as the service would have answered then, with
    /// what was loaded at that instant), or `None`.
    pub fn known_at(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>, Problem> {
        self.get("known_at")
            .map(|t| {
                crate::model::parse_instant(t).map_err(|e| Problem::parameter("known_at", format!("known_at: {e}")))
            })
            .transpose()
    }

    /// [`Self::when`], required: `date` or `datetime`.
    pub fn required_when(&self) -> Result<crate::model::When, Problem> {
        self.when()?.ok_or_else(|| {
            Problem::parameter(
                "date",
                "parameter 'date' is required (YYYY-MM-DD), or 'datetime' (an RFC 3339 instant)",
            )
        })
    }

    /// A required date parameter.
    pub fn required_date(&self, name: &str) -> Result<NaiveDate, Problem> {
        self.required(name)?;
        self.date(name)?
            .ok_or_else(|| Problem::parameter(name, format!("parameter '{name}' is required")))
    }
}

/// Parses a finite number within `[lo, hi]` (the f64 parser alone accepts inf, NaN and 1e400).
pub fn number(name: &str, value: &str, lo: f64, hi: f64) -> Result<f64, Problem> {
    match value.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(v),
        Ok(_) => Err(Problem::parameter(
            name,
            format!("{name} '{value}' must be a finite number in [{lo}, {hi}]"),
        )),
        Err(_) => Err(Problem::parameter(name, format!("{name} '{value}' is not a number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unknown_duplicate_and_non_finite() {
        let e = Params::parse("lon=1&lat=2&x=3", &["lon", "lat"]).unwrap_err();
        assert!(e.detail.contains("unknown parameter 'x'"), "{}", e.detail);
        let e = Params::parse("lon=1&lon=2", &["lon", "lat"]).unwrap_err();
        assert!(e.detail.contains("more than once"));
        let p = Params::parse("lon=1e400&lat=NaN", &["lon", "lat"]).unwrap();
        assert!(p.lon_lat().unwrap_err().detail.contains("finite number in [-180, 180]"));
        let p = Params::parse("lon=1&lat=inf", &["lon", "lat"]).unwrap();
        assert!(
            p.lon_lat()
                .unwrap_err()
                .detail
                .contains("lat 'inf' must be a finite number")
        );
        let p = Params::parse("date=2022-13-01", &["date"]).unwrap();
        assert!(
            p.required_date("date")
                .unwrap_err()
                .detail
                .contains("not a valid calendar date")
        );
        let p = Params::parse("lon=%2030.5&lat=50", &["lon", "lat"]).unwrap();
        assert_eq!(p.lon_lat().unwrap(), crate::model::LonLat::new(30.5, 50.0).unwrap());
    }
}
