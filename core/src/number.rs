//! Numbers as JSON text without `core::fmt`: the f64 writer, and hex for `\u` escapes.
//!
//! Why not `format!("{n}")`: an f64's `Display` brings the standard library's whole float
//! formatter (Grisu with a Dragon fallback, exact and shortest modes, their power-of-ten
//! tables and a 1280-bit bignum) into the browser bundle: 8.1 KB gzipped (measured), an
//! eighth of the page, for numbers that are integers in every real frame (ids, dates, SDP line
//! indexes).
//!
//! [`write_f64`] writes exactly what `format!("{n}")` writes (tested against it): the shortest
//! digits that read back as the same f64, closest to it, in plain decimal notation. That is
//! the "modified Dragon" (Steele & White's free-format algorithm, "How to Print Floating-Point
//! Numbers Accurately", PLDI 1990) that `core::num::flt2dec::strategy::dragon::format_shortest`
//! implements, with the same interval and tie rules, on a small fixed-size bignum; only the
//! mode and the tables the page never uses are left out.

use std::cmp::Ordering;

/// Writes a finite `n` as `format!("{n}")` would, except that `-0` is written `0`
/// (as `JSON.stringify` does). The caller handles NaN and the infinities.
pub(crate) fn write_f64(n: f64, out: &mut String) {
    if n == 0.0 || !n.is_finite() {
        out.push('0');
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let (digits, exp) = shortest(n.abs());
    // The value is 0.d1d2…dn × 10^exp. (Bytes pushed one by one: slicing a `str` would bring
    // in its panic message's formatting, with Unicode tables.)
    if exp <= 0 {
        out.push_str("0.");
        push_zeros(out, -exp);
    }
    for (i, &d) in digits.iter().enumerate() {
        if exp > 0 && i == exp as usize {
            out.push('.');
        }
        out.push(char::from(d));
    }
    push_zeros(out, exp - digits.len() as i32);
}

/// Writes the low `width` hex digits of `n`, lowercase, zero-padded.
pub(crate) fn write_hex(n: u64, width: u32, out: &mut String) {
    for i in (0..width).rev() {
        let nibble = (n >> (4 * i)) & 0xf;
        out.push(char::from(b"0123456789abcdef"[nibble as usize]));
    }
}

fn push_zeros(out: &mut String, count: i32) {
    for _ in 0..count {
        out.push('0');
    }
}

/// The shortest digits `d1…dn` (ASCII) and exponent `k` with `0.d1…dn × 10^k` reading back as
/// `v` (finite, > 0); of several, the closest to `v`. flt2dec's `format_shortest`, step by step.
fn shortest(v: f64) -> (Vec<u8>, i32) {
    // flt2dec's `decode`: v = mant × 2^exp; its neighbours lie `minus` below and `plus` above
    // (times 2^exp, halfway to the adjacent floats); ties read back as v when its mantissa is
    // even (round-half-to-even), so then the interval's ends are included.
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mant, exp) = if biased == 0 {
        (fraction << 1, -1075)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let inclusive = mant & 1 == 0;
    let (mant, minus, plus, exp) = if biased == 0 {
        // Subnormal: `mant` is already doubled (so, as in flt2dec, always "even").
        (mant, 1, 1, exp)
    } else if mant == 1 << 52 {
        // A power of two: the float below is half as far as the one above.
        (mant << 2, 1, 2, exp - 2)
    } else {
        (mant << 1, 1, 1, exp - 1)
    };
    // `a < b`, or `a <= b` when the interval's ends are included.
    let below = |a: &Big, b: &Big| match a.cmp(b) {
        Ordering::Less => true,
        Ordering::Equal => inclusive,
        Ordering::Greater => false,
    };

    // An estimate of k with 10^(k-1) < high <= 10^(k+1) (may be one too small: fixed below).
    let nbits = 64 - i64::from((mant + plus - 1).leading_zeros());
    let mut k = (((nbits + i64::from(exp)) * 1_292_913_986) >> 32) as i32;

    // v = mant / scale, low = (mant - minus) / scale, high = (mant + plus) / scale.
    let mut mant = Big::new(mant);
    let mut minus = Big::new(minus);
    let mut plus = Big::new(plus);
    let mut scale = Big::new(1);
    if exp < 0 {
        scale.shl(exp.unsigned_abs());
    } else {
        for b in [&mut mant, &mut minus, &mut plus] {
            b.shl(exp.unsigned_abs());
        }
    }
    // Divide by 10^k: now scale / 10 < mant + plus <= scale × 10.
    if k >= 0 {
        scale.mul_pow10(k.unsigned_abs());
    } else {
        for b in [&mut mant, &mut minus, &mut plus] {
            b.mul_pow10(k.unsigned_abs());
        }
    }
    // Fix the estimate up so that scale < mant + plus <= scale × 10.
    if below(&scale, &mant.add(&plus)) {
        k += 1;
    } else {
        for b in [&mut mant, &mut minus, &mut plus] {
            b.mul_small(10);
        }
    }

    let mut digits = Vec::with_capacity(17);
    let (down, up) = loop {
        // The next digit: floor(mant / scale), which is below 10.
        let mut d = b'0';
        while mant.cmp(&scale) != Ordering::Less {
            mant.sub(&scale);
            d += 1;
        }
        digits.push(d);
        // Stop once the digits so far, or them rounded up, are within the interval.
        let down = below(&mant, &minus);
        let up = below(&scale, &mant.add(&plus));
        if down || up {
            break (down, up);
        }
        for b in [&mut mant, &mut minus, &mut plus] {
            b.mul_small(10);
        }
    };
    // Round up when only that is in the interval, or when both are and the rest is >= 1/2.
    if up
        && (!down || {
            mant.shl(1);
            mant.cmp(&scale) != Ordering::Less
        })
    {
        match digits.iter().rposition(|&c| c != b'9') {
            Some(i) => {
                digits[i] += 1;
                for d in &mut digits[i + 1..] {
                    *d = b'0';
                }
            }
            None => {
                // All nines: 99…9 becomes 100…0 with one more zero and the exponent moved, as
                // flt2dec's `round_up` has it (which doubts this can happen at all).
                let n = digits.len();
                digits.clear();
                digits.push(b'1');
                digits.resize(n + 1, b'0');
                k += 1;
            }
        }
    }
    (digits, k)
}

/// A nonnegative integer of up to 40 × 32 bits, little-endian: room for the largest value
/// `shortest` forms (a subnormal's mantissa times 10^324, about 2^1140). Limbs from `len` on
/// are zero, so the operations skip them (an id or a date needs two or three).
#[derive(Clone)]
struct Big {
    limbs: [u32; 40],
    len: usize,
}

impl Big {
    fn new(v: u64) -> Big {
        let mut limbs = [0; 40];
        limbs[0] = v as u32;
        limbs[1] = (v >> 32) as u32;
        Big { limbs, len: 2 }
    }

    /// The limbs either operand uses, plus `extra` for a carry (at most all of them).
    fn span(&self, other: &Big, extra: usize) -> usize {
        (self.len.max(other.len) + extra).min(self.limbs.len())
    }

    fn mul_small(&mut self, m: u32) {
        self.len = self.span(self, 1);
        let mut carry = 0u64;
        for limb in &mut self.limbs[..self.len] {
            let x = u64::from(*limb) * u64::from(m) + carry;
            *limb = x as u32;
            carry = x >> 32;
        }
    }

    fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        self.mul_small(10u32.pow(n));
    }

    /// Multiplies by 2^n.
    fn shl(&mut self, n: u32) {
        let (limbs, bits) = ((n / 32) as usize, n % 32);
        self.len = self.span(self, limbs + 1);
        for i in (0..self.len).rev() {
            let hi = i.checked_sub(limbs).map_or(0, |j| self.limbs[j]);
            let lo = i.checked_sub(limbs + 1).map_or(0, |j| self.limbs[j]);
            self.limbs[i] = if bits == 0 {
                hi
            } else {
                (hi << bits) | (lo >> (32 - bits))
            };
        }
    }

    fn add(&self, other: &Big) -> Big {
        let mut sum = self.clone();
        sum.len = self.span(other, 1);
        let mut carry = 0u64;
        for (a, b) in sum.limbs[..sum.len].iter_mut().zip(&other.limbs) {
            let x = u64::from(*a) + u64::from(*b) + carry;
            *a = x as u32;
            carry = x >> 32;
        }
        sum
    }

    /// `self -= other`, for `self >= other`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = false;
        for (a, b) in self.limbs[..self.len].iter_mut().zip(&other.limbs) {
            let (x, b1) = a.overflowing_sub(*b);
            let (x, b2) = x.overflowing_sub(u32::from(borrow));
            *a = x;
            borrow = b1 || b2;
        }
    }

    fn cmp(&self, other: &Big) -> Ordering {
        let n = self.span(other, 0);
        self.limbs[..n]
            .iter()
            .rev()
            .cmp(other.limbs[..n].iter().rev())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(n: f64) -> String {
        let mut s = String::new();
        write_f64(n, &mut s);
        s
    }

    fn check(n: f64) {
        if !n.is_finite() {
            return;
        }
        let std = if n == 0.0 {
            "0".to_owned()
        } else {
            format!("{n}")
        };
        assert_eq!(ours(n), std, "{n:e} ({:#x})", n.to_bits());
        assert_eq!(ours(n).parse::<f64>(), Ok(n), "{n:e}");
    }

    /// xorshift64*: a reproducible stream of bit patterns.
    fn rng(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn writes_what_display_writes_for_edge_cases() {
        let mut cases = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            -0.5,
            1.5e-7,
            1e21,
            1e22,
            1e23,
            123_456_789.123_456_79,
            1_712_345_700_123.0,
            9_007_199_254_740_992.0,
            9_007_199_254_740_993.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            2.225_073_858_507_201e-308,
            171_234_570e123,
            0.3,
            2.0 / 3.0,
            100.0,
            1e-5,
        ];
        for e in -1074..=1023 {
            let p = if e >= -1022 {
                f64::from_bits(((e + 1023) as u64) << 52)
            } else {
                f64::from_bits(1 << (e + 1074))
            };
            let bits = p.to_bits();
            cases.extend([p, f64::from_bits(bits - 1), f64::from_bits(bits + 1)]);
        }
        for e in -325..=308 {
            let p: f64 = format!("1e{e}").parse().unwrap();
            cases.extend([
                p,
                f64::from_bits(p.to_bits().wrapping_sub(1)),
                f64::from_bits(p.to_bits() + 1),
            ]);
            let q: f64 = format!("9.999999999999999e{e}").parse().unwrap();
            cases.push(q);
        }
        for (i, n) in cases.into_iter().enumerate() {
            // The sign is written apart from the digits: a few negatives are enough.
            check(if i % 64 == 0 { -n } else { n });
        }
    }

    #[test]
    fn writes_what_display_writes_for_random_floats() {
        let mut next = rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..1_500 {
            check(f64::from_bits(next()));
        }
        // Short decimals (what people type), and integers around 2^53.
        for _ in 0..1_000 {
            let r = next();
            let digits = (r >> 8) % 1_000_000_000;
            let e = (r % 40) as i32 - 20;
            check(format!("{digits}e{e}").parse().unwrap());
            check(((1u64 << 53) as f64) * (1.0 + (r % 4096) as f64 / 1e3));
        }
    }

    #[test]
    fn hex() {
        let mut s = String::new();
        write_hex(0xe220_a839_7b1d_cdaf, 16, &mut s);
        write_hex(0x1f, 4, &mut s);
        assert_eq!(s, "e220a8397b1dcdaf001f");
    }
}
