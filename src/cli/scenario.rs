//! `frontline scenario FILE.json [--save] [--layer L] [--preset NAME --source S --date D|--datetime T
//! ...]`: computes a ceasefire
//! scenario (figures and provenance as JSON, or one of its layers as GeoJSON); `--save` stores it
//! in the geodata directory (`scenarios/<id>.json`) through the store.

use super::Exit;
use super::{DataArg, Failure, WhenArg, parse_date_arg};
use frontline::scenario::{self, ScenarioLayer, presets};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The scenario document (JSON; see the README, section Ceasefire scenarios), `-` for
    /// standard input. Not with --preset.
    file: Option<PathBuf>,
    /// Store it in the geodata directory (needs --data): `scenarios/<id>.json`.
    #[arg(long)]
    save: bool,
    /// Print one layer as GeoJSON instead of the figures: area, excluded, zones or withdrawal.
    #[arg(long)]
    layer: Option<String>,
    /// Decimals of the coordinates of --layer.
    #[arg(long, default_value_t = 6)]
    precision: u8,
    /// Print the document of a preset instead of a FILE: korea-1953, minsk-2014, minsk-ii-2015
    /// (with --source and --date; --memorandum-date for minsk-ii-2015).
    #[arg(long)]
    preset: Option<String>,
    /// The preset's source.
    #[arg(long)]
    source: Option<String>,
    /// The preset's ceasefire date (or instant, with --datetime: the day whose state was
    /// published then).
    #[command(flatten)]
    when: WhenArg,
    /// The date of the line standing for the 19 September 2014 memorandum's (minsk-ii-2015).
    #[arg(long, conflicts_with = "memorandum_datetime")]
    memorandum_date: Option<String>,
    /// An RFC 3339 instant instead of --memorandum-date: the day whose state was published then.
    #[arg(long)]
    memorandum_datetime: Option<String>,
    /// Compute this many times and print the median compute time to stderr (a benchmark), 1 to
    /// 1000.
    #[arg(long, default_value_t = 1, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    repeat: usize,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    if let Some(name) = &a.preset {
        // A preset prints a document (to compute or save it, give it back as FILE): a FILE,
        // --save, --layer or --repeat with it would be ignored, so they are refused.
        if a.file.is_some() || a.save || a.layer.is_some() || a.repeat != 1 {
            return Err(Failure::input(
                "--preset prints a scenario document and is not given with FILE, --save, --layer or --repeat; write the document to a file and run `frontline scenario FILE.json [--save]`",
            ));
        }
        let (Some(source), Some(when)) = (&a.source, a.when.optional()?) else {
            return Err(Failure::input("--preset needs --source and --date (or --datetime)"));
        };
        let memo = match (&a.memorandum_date, &a.memorandum_datetime) {
            (Some(d), _) => Some(frontline::model::When::Date(parse_date_arg("memorandum-date", d)?)),
            (None, Some(t)) => Some(frontline::model::When::Instant(
                frontline::model::parse_instant(t)
                    .map_err(|e| Failure::input(format!("--memorandum-datetime: {e}")))?,
            )),
            (None, None) => None,
        };
        let cat = a.data.catalog()?;
        let day = |w, field| presets::ceasefire_day(&cat, Some(source), w, field).map_err(Failure::from);
        let date = day(when, "datetime")?;
        let memo = memo.map(|w| day(w, "memorandum_datetime")).transpose()?;
        let s = presets::document(&cat, name, source, date, memo).map_err(Failure::from)?;
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &s)?;
        writeln!(out)?;
        return Ok(Exit::Ok);
    }
    let Some(file) = &a.file else {
        return Err(Failure::input(
            "give a scenario FILE.json (or --preset NAME to print one)",
        ));
    };
    let layer = match a.layer.as_deref() {
        None => None,
        Some(l) => Some(
            ScenarioLayer::parse(l)
                .ok_or_else(|| Failure::input(format!("--layer '{l}': one of area, excluded, zones, withdrawal")))?,
        ),
    };
    if a.precision > 15 {
        return Err(Failure::input("--precision must be 0 to 15"));
    }
    // `-` is standard input, as for the other commands that read a file.
    let bytes = if file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b)
            .map_err(|e| Failure::input(format!("cannot read standard input: {e}")))?;
        b
    } else {
        std::fs::read(file).map_err(|e| Failure::input(format!("cannot read {}: {e}", file.display())))?
    };
    let doc = scenario::parse(&bytes).map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
    let store_dir = if a.save {
        Some(a.data.writable_dir("scenario --save")?)
    } else {
        None
    };
    let cat = a.data.catalog()?;
    let mut times = Vec::new();
    let mut computed = None;
    for _ in 0..a.repeat.max(1) {
        let t = std::time::Instant::now();
        let c = scenario::compute(&cat, &doc).map_err(Failure::from)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        computed = Some(c);
    }
    let Some(c) = computed else {
        return Err(Failure::input("nothing computed"));
    };
    if a.repeat > 1 {
        // The first run also computes the control states it reads (layers, line of contact),
        // which a server has computed before it answers.
        let first = times[0];
        let mut warm = times[1..].to_vec();
        warm.sort_by(f64::total_cmp);
        diag!(
            "scenario {}: compute median {:.1} ms over {} runs on computed states (min {:.1}, max {:.1}); first run, computing the states too: {first:.1} ms",
            c.id(),
            warm[warm.len() / 2],
            warm.len(),
            warm[0],
            warm[warm.len() - 1]
        );
    }
    if let Some(dir) = store_dir {
        let written = scenario::save(&frontline::store::Store::new(dir), &c).map_err(Failure::from)?;
        diag!(
            "scenario {} {}",
            c.id(),
            if written { "stored" } else { "was already stored" }
        );
    }
    let mut out = std::io::stdout().lock();
    match layer {
        Some(l) => out.write_all(&c.layer_geojson(l, a.precision)?)?,
        None => out.write_all(&frontline::num::to_vec(&c.answer)?)?,
    }
    writeln!(out)?;
    Ok(Exit::Ok)
}
