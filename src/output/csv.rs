//! CSV rows of answers (timelines, histories), written by the `csv` crate: RFC 4180 quoting
//! wherever a field needs it (a region or source name with a comma or a quote), `\n` line ends.
//! The streamed classification writes its rows itself (`crate::query::csv`: the input's fields
//! are copied back as they came, quoted by `csv-core`'s rule only where they must be).

/// Appends one record of `fields` (quoted where needed) and its `\n` to `out`.
pub fn push_record<I, T>(out: &mut String, fields: I)
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(256)
        .from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(fields);
    if let Ok(bytes) = w.into_inner() {
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
}

/// One record of `fields` with its `\n`.
pub fn record<I, T>(fields: I) -> String
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let mut out = String::new();
    push_record(&mut out, fields);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_only_where_needed() {
        assert_eq!(
            super::record(["2024-01-01", "a,b", "say \"x\"", "1.000"]),
            "2024-01-01,\"a,b\",\"say \"\"x\"\"\",1.000\n"
        );
        assert_eq!(super::record(["", "x"]), ",x\n");
    }
}
