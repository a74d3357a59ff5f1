//! Numbers as names: a number where a name was expected (a sample client may send `"target":
//! 42`) is read as the text JavaScript's `String(n)` gives it, so the client, the relay and the
//! sample's JavaScript all route it under the same name.

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
        out.extend(std::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
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
