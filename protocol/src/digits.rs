//! Integers as text without `core::fmt`: the browser client's wasm links no `format!`,
//! `to_string()` on integers or `{:x}`, since each pulls in the formatter's padding and
//! integer code (README, "Bundle size"). Shared by the protocol's messages and the core's
//! logs and notices.

use alloc::string::String;

/// `n` in decimal, as `n.to_string()` writes it.
pub fn dec(n: u64) -> String {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf[i..].iter().map(|&b| b as char).collect()
}

/// `n` as 16 lowercase hex digits, as `format!("{n:016x}")` writes it.
pub fn hex16(n: u64) -> String {
    (0..16)
        .rev()
        .map(|i| char::from(b"0123456789abcdef"[(n >> (i * 4)) as usize & 15]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{dec, hex16};

    #[test]
    fn digits_match_the_formatter() {
        for n in [0, 1, 9, 10, 99, 100, 65_535, 4_294_967_295, u64::MAX] {
            assert_eq!(dec(n), n.to_string());
            assert_eq!(hex16(n), format!("{n:016x}"));
        }
        assert_eq!(hex16(0xBF58_476D_1CE4_E5B9), "bf58476d1ce4e5b9");
    }
}
