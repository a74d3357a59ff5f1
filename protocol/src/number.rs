//! Numbers as names: a number where a name was expected (a sample client may send `"target":
//! 42`) is read as the text JavaScript's `String(n)` gives it, so the client, the relay and the
//! sample's JavaScript all route it under the same name.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};

/// Whether `n` is a whole number, as `n.fract() == 0.0` (false for infinities and NaN); `fract`
/// is std's, not core's. From 2^53 on every finite `f64` is whole; below, the cast is exact.
pub fn is_integral(n: f64) -> bool {
    const WHOLE_FROM: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.abs() < WHOLE_FROM {
        n as i64 as f64 == n
    } else {
        n.is_finite()
    }
}

/// `n` as JavaScript's `String(n)` writes it (ECMAScript, `Number::toString` with radix 10):
/// the shortest digits that read back as `n`, in plain decimal notation for exponents from
/// -6 to 20 and in exponent notation (`1e+21`, `1.5e-7`) outside them; `-0` is `"0"`.
///
/// Native only in practice: the browser passes its own `String` to
/// [`Message::from_value_with`](crate::Message::from_value_with), so this (and the standard
/// library's float formatter under it) never reaches the page's bundle.
pub fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_owned();
    }
    if n == 0.0 {
        return "0".to_owned();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // `{:e}` is the shortest round-trip digits, closest to `n` on ties, as the spec asks:
    // `d.ddde-7`, `de21`.
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // The spec's k (number of digits) and n (s × 10^(n−k) = |n|).
    let k = digits.len() as i32;
    let point = exp.parse::<i32>().unwrap_or(0) + 1;
    let mut out = String::with_capacity(k as usize + 8);
    if n < 0.0 {
        out.push('-');
    }
    if k <= point && point <= 21 {
        out.push_str(&digits);
        out.extend(core::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(core::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if point - 1 < 0 { '-' } else { '+' });
        out.push_str(&(point - 1).abs().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_integral;

    #[test]
    fn is_integral_agrees_with_std_fract() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1e-300,
            65535.0,
            65535.5,
            4_503_599_627_370_495.5, // 2^52 - 0.5, the largest with a fraction
            9_007_199_254_740_991.0, // 2^53 - 1
            9_007_199_254_740_992.0, // 2^53
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for n in values {
            assert_eq!(is_integral(n), n.fract() == 0.0, "{n}");
        }
    }
}
