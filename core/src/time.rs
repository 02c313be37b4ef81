//! Times are unix seconds everywhere. A value past the year 9999 can only be
//! milliseconds (or nanoseconds) taken for seconds: refused, because such an
//! expiry would never come.

use crate::code::Code;

/// The last second of the year 9999, UTC.
pub const MAX_UNIX_SECONDS: i64 = 253_402_300_799;

/// Why a time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{what}` is {value}, which is not a time in unix seconds (it lies after the year 9999: milliseconds?)")]
pub struct TimeError {
    what: &'static str,
    value: i64,
}

impl TimeError {
    /// `invalid_argument`.
    pub fn code(&self) -> Code {
        Code::InvalidArgument
    }
}

/// Checks that `value` can be unix seconds (at most [`MAX_UNIX_SECONDS`]).
pub fn unix_seconds(what: &'static str, value: i64) -> Result<i64, TimeError> {
    if value > MAX_UNIX_SECONDS {
        Err(TimeError { what, value })
    } else {
        Ok(value)
    }
}

/// A float time (`time.time()`, `Date.now() / 1000`) floored to whole unix
/// seconds; non-finite values and milliseconds are refused.
pub fn unix_seconds_f64(what: &'static str, value: f64) -> Result<i64, TimeError> {
    let floor = value.floor();
    if !floor.is_finite() || floor > MAX_UNIX_SECONDS as f64 || floor < -(MAX_UNIX_SECONDS as f64) {
        return Err(TimeError {
            what,
            value: if floor.is_finite() { floor as i64 } else { i64::MAX },
        });
    }
    // In range: the conversion is exact for whole numbers of this size.
    Ok(floor as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_are_refused() {
        assert_eq!(unix_seconds("now", 1_767_225_600), Ok(1_767_225_600));
        assert!(unix_seconds("now", 1_767_225_600_000).is_err());
        assert_eq!(unix_seconds_f64("now", 1_767_225_600.9), Ok(1_767_225_600));
        assert!(unix_seconds_f64("now", 1_767_225_600_000.0).is_err());
        assert!(unix_seconds_f64("now", f64::NAN).is_err());
        let err = unix_seconds("expires_at", 1_767_225_600_000).unwrap_err();
        assert!(err.to_string().contains("milliseconds"), "{err}");
    }
}
