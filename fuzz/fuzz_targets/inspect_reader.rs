//! The Inspect log reader on arbitrary bytes, both as a `.json` log and as
//! an `.eval` (zip) archive: an error or a log, never a panic, a hang or an
//! unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safetywashing::import::inspect::{parse_eval_archive, parse_log_json};

fuzz_target!(|data: &[u8]| {
    if let Ok(log) = parse_log_json(data, "fuzz.json") {
        assert!(!log.model.trim().is_empty() && !log.task.trim().is_empty());
    }
    if let Ok(log) = parse_eval_archive(std::io::Cursor::new(data), "fuzz.eval") {
        assert!(!log.model.trim().is_empty() && !log.task.trim().is_empty());
    }
});
